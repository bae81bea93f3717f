/**
 * A rule's editor, to make one or change one: its name, whether it is enabled, when it runs (an
 * event, or some minutes after something), its conditions ("all" and "any", a row each: a
 * field, an operator that field takes, a value of its kind) and its actions (a row each, of a
 * type with its own controls), rows added and removed with buttons, focus following. Checked
 * here first (`../rules.ts`); the server's refusals are shown beside the control they name
 * (`conditions.all[2].op`), with a summary at the form's end.
 */

import { useId } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { RULE_SINCES, type NewRule, type RuleSince } from '../../data/rules';
import { t, tn } from '../../i18n';
import { ChoiceRow, FieldGroup, SelectField, TextField } from '../../ui/Field';
import { useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import {
  ACTIONS_MAX,
  CONDITIONS_MAX,
  NAME_MAX,
  SINCE_LABEL,
  WHEN,
  WHEN_LABEL,
  actionPlace,
  checkRuleForm,
  conditionPlace,
  emptyAction,
  emptyCondition,
  placeOf,
  type ActionRow,
  type ConditionList,
  type ConditionRow,
  type RuleFormValues,
  type RulePickers,
  type When,
} from '../rules';
import { MinutesField } from './MinutesField';
import { RuleActionInputs } from './RuleActionInputs';
import { RuleConditionInputs } from './RuleConditionInputs';

/** What the pickers offer: the custom fields, the teams, the staff and the macros (`undefined`
 * while they load). */
type Errors = Partial<Record<string, string>>;

const LIST_LEGEND = { all: 'rules.conditions.all', any: 'rules.conditions.any' } as const;
const LIST_HINT = { all: 'rules.conditions.all_hint', any: 'rules.conditions.any_hint' } as const;
const LIST_ADD = { all: 'rules.conditions.add_all', any: 'rules.conditions.add_any' } as const;

/** The errors with a summary at the form's end, which says how many there are to correct. */
function summarised(errors: Errors): Errors {
  const placed = Object.entries(errors).filter(([place, message]) => place !== 'form' && message).length;
  if (!placed) return errors;
  const summary = tn('rules.form.summary', placed);
  return { ...errors, form: errors.form ? `${summary} ${errors.form}` : summary };
}

export function RuleForm({
  initial,
  others,
  pickers,
  submitLabel,
  onSave,
  onCancel,
}: {
  initial: RuleFormValues;
  /** The other rules' names: a name is taken once, whatever the case. */
  others: readonly string[];
  pickers: RulePickers;
  submitLabel: string;
  /** Sends the rule; a refusal is thrown back (an `ApiProblem`). */
  onSave: (rule: NewRule) => Promise<void>;
  onCancel: () => void;
}) {
  const form = useFields<RuleFormValues, string>(initial, { editAnswersForm: true });
  const { values, errors, change } = form;
  const submission = useSubmit();
  const id = useId();
  // Where focus goes once the rows have changed shape (the button that had it may be gone).
  const { focusAfter } = useFocusAfterRender(form.ref);

  const rowPlaces = (list: ConditionList, index: number) => [conditionPlace(list, index), conditionPlace(list, index, 'field'), conditionPlace(list, index, 'op'), conditionPlace(list, index, 'value')];
  const setCondition = (list: ConditionList, index: number, row: ConditionRow) =>
    change({ [list]: values[list].map((r, i) => (i === index ? row : r)) }, [...rowPlaces(list, index), `conditions.${list}`]);
  const addCondition = (list: ConditionList) => {
    const row = emptyCondition();
    focusAfter(`[data-row="${row.id}"] select`);
    change({ [list]: [...values[list], row] }, [`conditions.${list}`]);
  };
  const removeCondition = (list: ConditionList, index: number) => {
    const rows = values[list];
    const next = rows[index + 1] ?? rows[index - 1];
    focusAfter(next ? `[data-row="${next.id}"] [data-action="remove"]` : `[data-action="add-${list}"]`);
    // The rows after it move up: their errors would be beside the wrong ones.
    change({ [list]: rows.filter((_, i) => i !== index) }, [`conditions.${list}`], `conditions.${list}[`);
  };

  const actionPlaces = (index: number) => [actionPlace(index), ...['type', 'value', 'key', 'body', 'macro_id', 'to', 'subject'].map((part) => actionPlace(index, part))];
  const setAction = (index: number, row: ActionRow) => change({ actions: values.actions.map((r, i) => (i === index ? row : r)) }, [...actionPlaces(index), 'actions']);
  const addAction = () => {
    const row = emptyAction();
    focusAfter(`[data-row="${row.id}"] select`);
    change({ actions: [...values.actions, row] }, ['actions']);
  };
  const removeAction = (index: number) => {
    const rows = values.actions;
    const next = rows[index + 1] ?? rows[index - 1];
    focusAfter(next ? `[data-row="${next.id}"] [data-action="remove"]` : '[data-action="add-action"]');
    change({ actions: rows.filter((_, i) => i !== index) }, ['actions'], 'actions[');
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const { errors: found, request } = checkRuleForm(values, { definitions: pickers.definitions, others });
    const shown: Errors = {};
    for (const [place, key] of Object.entries(found)) shown[place] = t(key);
    if (!form.show(summarised(shown)) || !request) return;
    void submission.run(async () => {
      try {
        await onSave(request);
      } catch (error) {
        if (error instanceof ApiProblem && (error.code === 'rule_name_taken' || error.code === 'validation_failed')) {
          const server: Errors = {};
          if (error.code === 'rule_name_taken') server.name = t('rules.form.name_taken');
          for (const e of error.errors) {
            const { place, message } = placeOf(e.field, values);
            server[place] ??= t(message);
          }
          if (Object.keys(server).length) return void form.show(summarised(server));
        }
        throw error;
      }
    });
  };

  const timed = values.when === 'time';
  return (
    <form ref={form.ref} class="form rule-form" onSubmit={onSubmit} noValidate>
      <TextField
        label={t('rules.form.name')}
        {...form.field('name')}
        hint={t('rules.form.name_hint')}
        autocomplete="off"
        maxLength={NAME_MAX}
        required
      />
      <ChoiceRow
        id={`${id}-enabled`}
        class="field-flag"
        type="checkbox"
        name="enabled"
        label={t('rules.form.enabled')}
        hint={t('rules.form.enabled_hint')}
        checked={values.enabled}
        onChange={(e) => change({ enabled: e.currentTarget.checked }, ['enabled'])}
      />
      <fieldset class="rule-section">
        <legend>{t('rules.form.when')}</legend>
        <div class={timed ? 'field-row field-row--three' : 'field-row'}>
          <SelectField
            label={t('rules.form.trigger')}
            name="trigger"
            hint={timed ? t('rules.form.trigger_hint') : undefined}
            value={values.when}
            error={timed ? undefined : errors.trigger}
            options={WHEN.map((when) => ({ value: when, label: t(WHEN_LABEL[when]) }))}
            onValue={(v) => change({ when: v as When }, ['trigger'], 'conditions.')}
          />
          {timed ? (
            <>
              <MinutesField label={t('rules.form.minutes')} name="trigger.after_minutes" value={values.minutes} error={errors.trigger} onValue={(v) => change({ minutes: v }, ['trigger'])} />
              <SelectField
                label={t('rules.form.since')}
                name="trigger.since"
                value={values.since}
                options={RULE_SINCES.map((since) => ({ value: since, label: t(SINCE_LABEL[since]) }))}
                onValue={(v) => change({ since: v as RuleSince }, ['trigger'])}
              />
            </>
          ) : null}
        </div>
      </fieldset>
      <fieldset class="rule-section">
        <legend>{t('rules.form.conditions')}</legend>
        <p class="field-hint">{t('rules.form.conditions_hint')}</p>
        {(['all', 'any'] as const).map((list) => {
          const listError = errors[`conditions.${list}`];
          return (
            <FieldGroup
              key={list}
              id={`${id}-${list}`}
              class="rule-rows"
              legend={t(LIST_LEGEND[list])}
              hint={t(LIST_HINT[list])}
              error={listError}
              add={values[list].length < CONDITIONS_MAX ? { label: t(LIST_ADD[list]), action: `add-${list}`, onAdd: () => addCondition(list), small: true } : null}
            >
              {values[list].length ? (
                <ol class="rule-row-list">
                  {values[list].map((row, index) => (
                    <RuleConditionInputs
                      key={row.id}
                      list={list}
                      index={index}
                      row={row}
                      when={values.when}
                      pickers={pickers}
                      errors={errors}
                      onChange={(next) => setCondition(list, index, next)}
                      onRemove={() => removeCondition(list, index)}
                    />
                  ))}
                </ol>
              ) : null}
            </FieldGroup>
          );
        })}
      </fieldset>
      <FieldGroup
        id={`${id}-actions`}
        class="rule-section rule-rows"
        legend={t('rules.form.actions')}
        hint={t('rules.form.actions_hint')}
        error={errors.actions}
        add={values.actions.length < ACTIONS_MAX ? { label: t('rules.form.add_action'), action: 'add-action', onAdd: addAction, small: true } : null}
      >
        {values.actions.length ? (
          <ol class="rule-row-list">
            {values.actions.map((row, index) => (
              <RuleActionInputs key={row.id} index={index} row={row} pickers={pickers} errors={errors} onChange={(next) => setAction(index, next)} onRemove={() => removeAction(index)} />
            ))}
          </ol>
        ) : null}
      </FieldGroup>
      <FormEnd
        formError={errors.form}
        submission={submission}
        overrides={{ limit_reached: 'rules.form.limit', rule_name_taken: 'rules.form.name_taken' }}
        submitLabel={submitLabel}
        cancel={{ label: t('rules.form.cancel'), onCancel }}
      />
    </form>
  );
}
