/**
 * One condition of a rule's editor, a group named by its list and place: the field it looks at
 * (the ticket's, the custom fields, the message's for rules run when a message is added), an
 * operator that field takes, and its value in a control of its kind (a select, boxes ticked,
 * text, several typed with commas, a tag with the ones in use suggested, a number, a day). A
 * team, a customer organisation or an option chosen before and gone since stays shown, said so.
 */

import { useId, useState } from 'preact/hooks';
import type { RuleOperator } from '../../data/rules';
import { t } from '../../i18n';
import { CheckboxGroup, FieldError, SelectField, TextField } from '../../ui/Field';
import {
  choicesOf,
  conditionPlace,
  controlOf,
  fieldLabel,
  fieldsOffered,
  missingChoiceLabel,
  opLabel,
  operatorsOf,
  sortOf,
  withField,
  withOp,
  type ConditionList,
  type ConditionRow,
  type RulePickers,
  type Sort,
  type When,
} from '../rules';
import { partialChoicesHint } from '../organizations';
import { useTagSuggestions } from '../useTagSuggestions';

const GROUP = { all: 'rules.condition.all_n', any: 'rules.condition.any_n' } as const;
const REMOVE = { all: 'rules.condition.remove_all', any: 'rules.condition.remove_any' } as const;

export function RuleConditionInputs({
  list,
  index,
  row,
  when,
  pickers,
  errors,
  onChange,
  onRemove,
}: {
  list: ConditionList;
  index: number;
  row: ConditionRow;
  when: When;
  pickers: RulePickers;
  errors: Partial<Record<string, string>>;
  onChange: (row: ConditionRow) => void;
  onRemove: () => void;
}) {
  const { definitions } = pickers;
  const sort = sortOf(row.field, definitions);
  const offered = fieldsOffered(when, definitions);
  // A field the picker no longer offers (a message's, once the trigger changed; a custom field
  // deleted since) stays shown until another is chosen.
  const fields = (offered.includes(row.field) ? offered : [...offered, row.field]).map((field) => ({ value: field, label: fieldLabel(field, definitions) }));
  const ops = sort ? operatorsOf(sort) : [row.op];
  const n = index + 1;
  const place = (part?: 'field' | 'op' | 'value') => conditionPlace(list, index, part);
  return (
    <li data-row={row.id}>
      {/* A group in the list's item: an item that is a group would leave the list without items. */}
      <div class="rule-row" role="group" aria-label={t(GROUP[list], { n })}>
        <SelectField label={t('rules.condition.field')} name={place('field')} value={row.field} error={errors[place('field')]} options={fields} onValue={(v) => onChange(withField(row, v, definitions))} />
        <SelectField
          label={t('rules.condition.op')}
          name={place('op')}
          value={row.op}
          error={errors[place('op')]}
          options={ops.map((op) => ({ value: op, label: t(opLabel(op, sort)) }))}
          onValue={(v) => onChange(withOp(row, v as RuleOperator, sort))}
        />
        {sort ? <ConditionValue row={row} sort={sort} name={place('value')} pickers={pickers} error={errors[place('value')]} onChange={onChange} /> : null}
        <button type="button" class="button button--secondary button--small" data-action="remove" aria-label={t(REMOVE[list], { n })} onClick={onRemove}>
          {t('rules.remove')}
        </button>
        <RowError error={errors[place()]} />
      </div>
    </li>
  );
}

/** A refusal of the row as a whole, below its controls. */
export function RowError({ error }: { error: string | undefined }) {
  const id = useId();
  return error ? (
    <div class="rule-row-error">
      <FieldError id={id} error={error} />
    </div>
  ) : null;
}

function ConditionValue({
  row,
  sort,
  name,
  pickers,
  error,
  onChange,
}: {
  row: ConditionRow;
  sort: Sort;
  name: string;
  pickers: RulePickers;
  error: string | undefined;
  onChange: (row: ConditionRow) => void;
}) {
  const setValue = (value: string) => onChange({ ...row, value });
  const context = { teams: pickers.teams ?? [], staff: pickers.staff, organizations: pickers.organizations?.organizations ?? [] };
  // Only the first of many customer organisations are offered: said under the control.
  const hint = sort.kind === 'organization' ? partialChoicesHint(pickers.organizations) : undefined;
  switch (controlOf(sort, row.op)) {
    case 'none':
      return null;
    case 'choice': {
      const choices = choicesOf(sort, context);
      // Teams, people, organisations and options may be none yet: nothing is chosen until one is.
      const open = sort.kind === 'team' || sort.kind === 'staff' || sort.kind === 'organization' || sort.kind === 'option' || sort.kind === 'options';
      if (row.value && !choices.some((c) => c.value === row.value)) choices.push({ value: row.value, label: missingChoiceLabel(row.value, sort, pickers) });
      return (
        <SelectField
          label={t('rules.condition.value')}
          name={name}
          hint={hint}
          value={row.value}
          error={error}
          options={open ? [{ value: '', label: t('rules.choose') }, ...choices] : choices}
          onValue={setValue}
        />
      );
    }
    case 'choices': {
      const choices = choicesOf(sort, context);
      for (const value of row.values) if (!choices.some((c) => c.value === value)) choices.push({ value, label: missingChoiceLabel(value, sort, pickers) });
      return choices.length ? (
        <CheckboxGroup
          legend={t('rules.condition.values')}
          name={name}
          hint={hint}
          options={choices}
          chosen={row.values}
          error={error}
          onToggle={(value, on) => onChange({ ...row, values: on ? [...row.values.filter((v) => v !== value), value] : row.values.filter((v) => v !== value) })}
        />
      ) : (
        <p class="hint">{t('rules.condition.values_none')}</p>
      );
    }
    case 'list':
      return <TextField label={t('rules.condition.values')} name={name} hint={t('rules.condition.values_hint')} autocomplete="off" value={row.value} error={error} onValue={setValue} />;
    case 'tag':
      return <TagValue name={name} value={row.value} error={error} onValue={setValue} />;
    case 'number':
      return <TextField label={t('rules.condition.number')} name={name} inputMode="decimal" autocomplete="off" value={row.value} error={error} onValue={setValue} />;
    case 'date':
      return <TextField label={t('rules.condition.date')} name={name} type="date" value={row.value} error={error} onValue={setValue} />;
    default:
      return <TextField label={t('rules.condition.value')} name={name} autocomplete="off" value={row.value} error={error} onValue={setValue} />;
  }
}

/** A tag, with the tags in use suggested once the field has had the focus. */
function TagValue({ name, value, error, onValue }: { name: string; value: string; error: string | undefined; onValue: (value: string) => void }) {
  const [wanted, setWanted] = useState(false);
  const found = useTagSuggestions(value, wanted);
  const id = useId();
  return (
    <>
      <TextField
        label={t('rules.condition.tag')}
        name={name}
        autocomplete="off"
        spellcheck={false}
        list={`${id}-tags`}
        value={value}
        error={error}
        onFocus={() => setWanted(true)}
        onValue={onValue}
      />
      <datalist id={`${id}-tags`}>
        {found.map((tag) => (
          <option key={tag.name} value={tag.name} />
        ))}
      </datalist>
    </>
  );
}
