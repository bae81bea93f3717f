/**
 * A customer organisation's form, to make one or change one (owners and admins): its name, its
 * domains (a row each, added and removed), what colleagues share (two switches, each with what
 * it lets them do) and notes. Checked here first (`../organizations.ts`); the server's refusals
 * are shown beside their fields: the name taken beside the name, a domain another organisation
 * holds or a public mail provider's beside the row it was typed in.
 */

import { useId } from 'preact/hooks';
import type { NewOrganization } from '../../data/organizations';
import { t } from '../../i18n';
import { CheckboxField, FieldGroup, TextArea, TextField } from '../../ui/Field';
import { translated, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import {
  DOMAINS_MAX,
  NAME_MAX,
  checkOrganizationForm,
  domainError,
  domainRow,
  organizationRefusal,
  type OrganizationFormError,
  type OrganizationFormValues,
  type Said,
} from '../organizations';

type Errors = Partial<Record<OrganizationFormError, string>>;

const say = (said: Said) => ('text' in said ? said.text : t(said.key, said.params));

export function OrganizationForm({
  initial,
  submitLabel,
  onSave,
}: {
  initial: OrganizationFormValues;
  submitLabel: string;
  /** Sends the request; a refusal is thrown back (an `ApiProblem`). */
  onSave: (request: NewOrganization) => Promise<void>;
}) {
  const form = useFields<OrganizationFormValues, OrganizationFormError>(initial, { editAnswersForm: true });
  const { values, change } = form;
  const errors = form.errors as Errors;
  const submission = useSubmit();
  const id = useId();
  const { focusAfter } = useFocusAfterRender(form.ref);

  const setDomain = (index: number, value: string) =>
    change({ domains: values.domains.map((row, i) => (i === index ? { ...row, value } : row)) }, [domainError(index), 'domains']);
  const addDomain = () => {
    const row = domainRow();
    focusAfter(`[data-domain="${row.id}"] input`);
    change({ domains: [...values.domains, row] }, ['domains']);
  };
  const removeDomain = (index: number) => {
    const rows = values.domains;
    const next = rows[index + 1] ?? rows[index - 1];
    focusAfter(next ? `[data-domain="${next.id}"] button` : '[data-action="add-domain"]');
    // The rows after it move up: their errors no longer match them.
    change({ domains: rows.filter((_, i) => i !== index) }, ['domains'], 'domain.');
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const { errors: found, request } = checkOrganizationForm(values);
    const rows = values.domains;
    form.submit(submission, {
      found: translated(found),
      request,
      send: onSave,
      refused: (error) => {
        const shown: Errors = {};
        for (const [field, said] of Object.entries(organizationRefusal(error, rows)) as [OrganizationFormError, Said][]) shown[field] = say(said);
        return shown;
      },
    });
  };

  const full = values.domains.length >= DOMAINS_MAX;
  return (
    <form ref={form.ref} class="form organization-form" onSubmit={onSubmit} noValidate>
      <TextField label={t('organizations.form.name')} hint={t('organizations.form.name_hint')} {...form.field('name')} autocomplete="off" maxLength={NAME_MAX} required />
      <FieldGroup
        id={`${id}-domains`}
        class="organization-domains"
        legend={t('organizations.form.domains')}
        hint={t('organizations.form.domains_hint', { max: DOMAINS_MAX })}
        error={errors.domains}
        add={full ? null : { label: t('organizations.form.domain_add'), action: 'add-domain', onAdd: addDomain, small: true }}
      >
        {values.domains.length ? (
          <div class="field-option-list">
            {values.domains.map((row, index) => (
              <div key={row.id} class="field-option organization-domain" data-domain={row.id}>
                <TextField
                  label={t('organizations.form.domain', { n: index + 1 })}
                  name={`domains[${index}]`}
                  autocomplete="off"
                  spellcheck={false}
                  autocapitalize="off"
                  inputMode="url"
                  maxLength={253}
                  value={row.value}
                  error={errors[domainError(index)]}
                  onValue={(v) => setDomain(index, v)}
                />
                <button type="button" class="button button--secondary button--small" onClick={() => removeDomain(index)}>
                  {t('organizations.form.domain_remove', { n: index + 1 })}
                </button>
              </div>
            ))}
          </div>
        ) : (
          <p class="hint">{t('organizations.form.domains_none')}</p>
        )}
      </FieldGroup>
      <fieldset class="checks organization-sharing">
        <legend>{t('organizations.form.sharing')}</legend>
        <CheckboxField
          class="organization-switch"
          role="switch"
          name="shared_tickets"
          label={t('organizations.form.shared_tickets')}
          hint={t('organizations.form.shared_tickets_hint')}
          checked={values.sharedTickets}
          onChange={(e) => change({ sharedTickets: e.currentTarget.checked }, [])}
        />
        <CheckboxField
          class="organization-switch"
          role="switch"
          name="shared_comments"
          label={t('organizations.form.shared_comments')}
          hint={t('organizations.form.shared_comments_hint')}
          checked={values.sharedComments}
          onChange={(e) => change({ sharedComments: e.currentTarget.checked }, [])}
        />
      </fieldset>
      <TextArea label={t('organizations.form.notes')} hint={t('organizations.form.notes_hint')} {...form.field('notes')} rows={4} />
      <FormEnd formError={errors.form} submission={submission} submitLabel={submitLabel} />
    </form>
  );
}
