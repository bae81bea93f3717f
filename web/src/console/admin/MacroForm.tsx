/**
 * A macro's form, to create one or change one: its name, the reply or note it posts (with the
 * placeholders it may use), the status, priority and assignment it sets, and the tags it adds.
 * Checked here first (`../macros.ts`); the server's refusals are shown beside their fields.
 */

import { useId } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import type { NewMacro } from '../../data/macros';
import { t } from '../../i18n';
import { STATUS_LABEL } from '../../tickets/badges';
import { SelectField, TextArea, TextField } from '../../ui/Field';
import { serverFieldErrors, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useSubmit } from '../../ui/hooks';
import { formField } from '../../errors/describe';
import { MACRO_NAME_MAX, PLACEHOLDERS, checkMacroForm, placeholderText, type FormError, type MacroField, type MacroFormValues } from '../macros';
import { useFreshPeople } from '../people';
import { PRIORITIES } from '../queue/views';

const STATUSES = ['open', 'in_progress', 'waiting_customer', 'resolved', 'closed'] as const;

const PLACEHOLDER_HINT = {
  'customer.firstname': 'macros.placeholder.customer_firstname',
  'ticket.number': 'macros.placeholder.ticket_number',
  'agent.firstname': 'macros.placeholder.agent_firstname',
} as const satisfies Record<(typeof PLACEHOLDERS)[number], string>;

export function MacroForm({
  initial,
  submitLabel,
  onSave,
  onCancel,
}: {
  initial: MacroFormValues;
  submitLabel: string;
  /** Sends the request; a refusal is thrown back (an `ApiProblem`). */
  onSave: (request: NewMacro) => Promise<void>;
  onCancel?: () => void;
}) {
  const form = useFields<MacroFormValues, MacroField>(initial, { editAnswersForm: true });
  const { values, errors } = form;
  const submission = useSubmit();
  const people = useFreshPeople();
  const id = useId();
  // Any change may answer the whole form's refusal.
  const set = <K extends keyof MacroFormValues & string>(key: K, value: MacroFormValues[K]) => form.set(key)(value);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const checked = checkMacroForm(values);
    const shown: Partial<Record<MacroField, string>> = {};
    for (const [field, error] of Object.entries(checked.errors) as [MacroField, FormError][]) shown[field] = t(error.key, error.params);
    form.submit(submission, {
      found: shown,
      request: checked.request,
      send: onSave,
      refused: (error) => {
        const server: Partial<Record<MacroField, string>> = {};
        if (error instanceof ApiProblem && error.code === 'macro_name_taken') server.name = t('macros.form.name_taken');
        else if (error instanceof ApiProblem) {
          const { add_tags: tags, ...named } = serverFieldErrors(error, ['name', 'body', 'add_tags'] as const);
          Object.assign(server, named, tags ? { tags } : {});
          const other = error.errors.filter((e) => !formField(e.field, ['name', 'body', 'add_tags'])).map((e) => e.message);
          // What the server says of the status, priority or assignee (an assignee who left).
          if (other.length) server.form = other.join(' ');
        }
        return server;
      },
    });
  };

  const assignees = [
    { value: '', label: t('macros.form.assign_keep') },
    { value: 'me', label: t('macros.form.assign_me') },
    { value: 'nobody', label: t('macros.form.assign_nobody') },
    ...people.staff.map((p) => ({ value: p.id, label: p.name })),
  ];
  // A macro naming someone no longer on the team keeps them until changed.
  if (values.assignTo && !assignees.some((a) => a.value === values.assignTo)) assignees.push({ value: values.assignTo, label: t('console.someone') });

  return (
    <form ref={form.ref} class="form macro-form" onSubmit={onSubmit} noValidate>
      <TextField
        label={t('macros.form.name')}
        hint={t('macros.form.name_hint')}
        {...form.field('name')}
        autocomplete="off"
        maxLength={MACRO_NAME_MAX}
        required
      />
      <TextArea
        label={t('macros.form.body')}
        {...form.field('body')}
        rows={5}
        hint={
          <>
            {t('macros.form.body_hint')}{' '}
            {PLACEHOLDERS.map((name, index) => (
              <span key={name} class="placeholder-help">
                <code>{placeholderText(name)}</code> {t(PLACEHOLDER_HINT[name])}
                {index < PLACEHOLDERS.length - 1 ? '; ' : '.'}
              </span>
            ))}
          </>
        }
      />
      <div class="checkbox">
        <input id={`${id}-internal`} type="checkbox" name="is_internal" checked={values.isInternal} onChange={(e) => set('isInternal', e.currentTarget.checked)} />
        <label for={`${id}-internal`}>{t('macros.form.internal')}</label>
      </div>
      <div class="field-row field-row--three">
        <SelectField
          label={t('macros.form.status')}
          name="status"
          value={values.status}
          options={[{ value: '', label: t('macros.form.status_keep') }, ...STATUSES.map((s) => ({ value: s, label: t(STATUS_LABEL[s]) }))]}
          onValue={(v) => set('status', v as MacroFormValues['status'])}
        />
        <SelectField
          label={t('macros.form.priority')}
          name="priority"
          value={values.priority}
          options={[{ value: '', label: t('macros.form.priority_keep') }, ...PRIORITIES.map((p) => ({ value: p, label: t(`priority.${p}`) }))]}
          onValue={(v) => set('priority', v as MacroFormValues['priority'])}
        />
        <SelectField label={t('macros.form.assign')} name="assign_to" value={values.assignTo} options={assignees} onValue={(v) => set('assignTo', v)} />
      </div>
      <TextField
        label={t('macros.form.tags')}
        hint={t('macros.form.tags_hint')}
        {...form.field('tags', 'add_tags')}
        autocomplete="off"
        spellcheck={false}
      />
      <FormEnd formError={errors.form} submission={submission} overrides={{ limit_reached: 'macros.form.limit' }} submitLabel={submitLabel} cancel={{ label: t('macros.form.cancel'), onCancel }} />
    </form>
  );
}
