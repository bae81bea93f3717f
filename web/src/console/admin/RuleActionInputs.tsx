/**
 * One action of a rule's editor, a group named by its place: its type, then the controls that
 * type takes (a priority, a status, a team or none, a person or nobody, tags typed with commas,
 * a custom field and its value in the field's own control, a note, a macro, a mail's recipient,
 * subject and text).
 */

import { RULE_ACTION_TYPES, type RuleActionType } from '../../data/rules';
import { t } from '../../i18n';
import { FieldControl } from '../../tickets/FieldControl';
import { fieldName } from '../../tickets/fields';
import { SelectField, TextArea, TextField } from '../../ui/Field';
import { ACTION_LABEL, RECIPIENTS, RECIPIENT_LABEL, SUBJECT_MAX, actionPlace, choicesOf, withActionField, withActionType, type ActionRow, type Recipient, type RulePickers } from '../rules';
import { RowError } from './RuleConditionInputs';

export function RuleActionInputs({
  index,
  row,
  pickers,
  errors,
  onChange,
  onRemove,
}: {
  index: number;
  row: ActionRow;
  pickers: RulePickers;
  errors: Partial<Record<string, string>>;
  onChange: (row: ActionRow) => void;
  onRemove: () => void;
}) {
  const n = index + 1;
  const place = (part?: string) => actionPlace(index, part);
  return (
    <li data-row={row.id}>
      {/* A group in the list's item: an item that is a group would leave the list without items. */}
      <div class="rule-row" role="group" aria-label={t('rules.action.n', { n })}>
        <SelectField
          label={t('rules.action.type')}
          name={place('type')}
          value={row.type}
          error={errors[place('type')]}
          options={RULE_ACTION_TYPES.map((type) => ({ value: type, label: t(ACTION_LABEL[type]) }))}
          onValue={(v) => onChange(withActionType(row, v as RuleActionType))}
        />
        <ActionControls row={row} place={place} pickers={pickers} errors={errors} onChange={onChange} />
        <button type="button" class="button button--secondary button--small" data-action="remove" aria-label={t('rules.action.remove', { n })} onClick={onRemove}>
          {t('rules.remove')}
        </button>
        <RowError error={errors[place()]} />
      </div>
    </li>
  );
}

function ActionControls({
  row,
  place,
  pickers,
  errors,
  onChange,
}: {
  row: ActionRow;
  place: (part?: string) => string;
  pickers: RulePickers;
  errors: Partial<Record<string, string>>;
  onChange: (row: ActionRow) => void;
}) {
  const set = (part: Partial<ActionRow>) => onChange({ ...row, ...part });
  /** A select of `choices`, with the value held kept shown when it is not among them (a team
   * deleted since, say). */
  const select = (label: string, choices: { value: string; label: string }[], lead?: { value: string; label: string }, part = 'value') => {
    const options = lead ? [lead, ...choices] : choices;
    if (row.value && !options.some((o) => o.value === row.value)) options.push({ value: row.value, label: t('rules.value.gone') });
    return <SelectField label={label} name={place(part)} value={row.value} error={errors[place(part)]} options={options} onValue={(v) => set({ value: v })} />;
  };
  const context = { teams: pickers.teams ?? [], staff: pickers.staff };
  switch (row.type) {
    case 'set_priority':
      return select(t('rules.action.priority'), choicesOf({ kind: 'priority' }, context));
    case 'set_status':
      return select(t('rules.action.status'), choicesOf({ kind: 'status' }, context));
    case 'set_team':
      return select(t('rules.action.team'), choicesOf({ kind: 'team' }, context), { value: '', label: t('teams.ticket.none') });
    case 'assign_to':
      return select(t('rules.action.person'), choicesOf({ kind: 'staff' }, context), { value: '', label: t('rules.action.nobody') });
    case 'apply_macro':
      return select(
        t('rules.action.macro'),
        (pickers.macros ?? []).map((macro) => ({ value: String(macro.id), label: macro.name })),
        { value: '', label: pickers.macros ? t('rules.choose') : t('common.loading') },
        'macro_id',
      );
    case 'add_tags':
    case 'remove_tags':
      return (
        <TextField
          label={t('rules.action.tags')}
          name={place('value')}
          hint={t('rules.action.tags_hint')}
          autocomplete="off"
          spellcheck={false}
          value={row.tags}
          error={errors[place('value')]}
          onValue={(v) => set({ tags: v })}
        />
      );
    case 'set_field': {
      const definition = pickers.definitions.find((d) => d.key === row.key);
      const fields = pickers.definitions.map((d) => ({ value: d.key, label: fieldName(d) }));
      if (row.key && !definition) fields.push({ value: row.key, label: t('rules.field.gone', { key: row.key }) });
      return (
        <>
          <SelectField
            label={t('rules.action.field')}
            name={place('key')}
            value={row.key}
            error={errors[place('key')]}
            options={[{ value: '', label: pickers.definitions.length ? t('rules.choose') : t('rules.action.fields_none') }, ...fields]}
            onValue={(v) => onChange(withActionField(row, v, pickers.definitions))}
          />
          {definition ? <FieldControl field={definition} input={row.input} error={errors[place('value')]} hint={t('rules.action.field_hint')} onInput={(input) => set({ input })} /> : null}
        </>
      );
    }
    case 'add_internal_note':
      return <TextArea label={t('rules.action.note')} name={place('body')} rows={3} value={row.body} error={errors[place('body')]} onValue={(v) => set({ body: v })} />;
    case 'notify_email':
      return (
        <>
          <SelectField
            label={t('rules.action.to')}
            name={`${place('to')}.kind`}
            value={row.to}
            error={row.to === 'address' ? undefined : errors[place('to')]}
            options={RECIPIENTS.map((to) => ({ value: to, label: t(RECIPIENT_LABEL[to]) }))}
            onValue={(v) => set({ to: v as Recipient })}
          />
          {row.to === 'address' ? (
            <TextField label={t('rules.action.address')} name={place('to')} type="email" autocomplete="off" spellcheck={false} value={row.address} error={errors[place('to')]} onValue={(v) => set({ address: v })} />
          ) : null}
          <TextField label={t('rules.action.subject')} name={place('subject')} autocomplete="off" maxLength={SUBJECT_MAX} value={row.subject} error={errors[place('subject')]} onValue={(v) => set({ subject: v })} />
          <TextArea label={t('rules.action.body')} name={place('body')} rows={3} value={row.body} error={errors[place('body')]} onValue={(v) => set({ body: v })} />
        </>
      );
  }
}
