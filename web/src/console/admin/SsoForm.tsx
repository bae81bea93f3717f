/**
 * Setting or changing single sign-on: the provider (its issuer, the client registered there and
 * its secret, asked for the first time and kept when left empty later), the scopes asked, the
 * email domains let in, the roles a claim's values give (a row each, added and removed with
 * buttons), the role of everyone else, whether newcomers join, and whether staff must use it.
 */

import { useId } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { saveSsoSettings, type SsoSettings } from '../../data/sso';
import { t, type MessageKey } from '../../i18n';
import { CheckboxField, FieldGroup, SelectField, TextField, UrlField } from '../../ui/Field';
import { translated, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import {
  DEFAULT_ROLES,
  MAPPED_ROLES,
  checkSsoForm,
  roleRow,
  roleValueError,
  ssoFormValues,
  ssoServerErrors,
  type DefaultRole,
  type MappedRole,
  type SsoFormError,
  type SsoFormValues,
} from './sso';
import { Panel } from '../../ui/Panel';

const ROLE_LABEL: Record<MappedRole | DefaultRole, MessageKey> = {
  admin: 'console.team.role_admin',
  agent: 'console.team.role_agent',
  customer: 'console.team.role_customer',
};

type Errors = Partial<Record<SsoFormError, string>>;

export function SsoForm({ slug, settings, onSaved, onEdit }: { slug: string; settings: SsoSettings | null; onSaved: (settings: SsoSettings) => void; onEdit: () => void }) {
  const form = useFields<SsoFormValues, SsoFormError>(ssoFormValues(settings), { editAnswersForm: true, onEdit });
  const { values } = form;
  const errors = form.errors as Errors;
  const submission = useSubmit();
  const id = useId();
  const { focusAfter } = useFocusAfterRender(form.ref);
  const { change, set: edit } = form;

  const setRow = (index: number, patch: Partial<{ value: string; role: MappedRole }>) => {
    const row = values.role_map[index]!;
    change({ role_map: values.role_map.map((r, i) => (i === index ? { ...r, ...patch } : r)) }, [roleValueError(row), 'role_map', 'role_claim']);
  };
  const addRow = () => {
    const row = roleRow();
    focusAfter(`[data-role-row="${row.id}"] input`);
    change({ role_map: [...values.role_map, row] }, ['role_map']);
  };
  const removeRow = (index: number) => {
    const rows = values.role_map;
    const next = rows[index + 1] ?? rows[index - 1];
    focusAfter(next ? `[data-role-row="${next.id}"] button` : '[data-action="add-role-row"]');
    change({ role_map: rows.filter((_, i) => i !== index) }, ['role_map', 'role_claim', roleValueError(rows[index]!)]);
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const { errors: found, request } = checkSsoForm(values, settings !== null);
    if (!form.show(translated(found)) || !request) return;
    void submission.run(async () => {
      try {
        onSaved(await saveSsoSettings(slug, request));
      } catch (error) {
        if (error instanceof ApiProblem && error.code === 'validation_failed') {
          const server = ssoServerErrors(error);
          const shown: Errors = { ...server };
          // Said here in the reader's language; the server's own words follow where they
          // carry the detail (why the provider's discovery document was refused).
          if (server.issuer) shown.issuer = t('sso.form.issuer_refused', { reason: server.issuer });
          if (server.required_for_staff) shown.required_for_staff = t('sso.form.required_needs_2fa');
          if (server.client_secret && !values.client_secret) shown.client_secret = t('sso.form.client_secret_required');
          if (Object.keys(shown).length) form.show(shown);
        }
        throw error;
      }
    });
  };

  const checkbox = (field: 'auto_create' | 'required_for_staff', label: MessageKey, hint: MessageKey) => (
    <CheckboxField
      id={`${id}-${field}`}
      class="sso-check"
      label={t(label)}
      hint={t(hint)}
      error={field === 'required_for_staff' ? errors.required_for_staff : undefined}
      name={field}
      checked={values[field]}
      onChange={(e) => edit(field)(e.currentTarget.checked)}
    />
  );


  return (
    <Panel title={t(settings ? 'sso.form.change_title' : 'sso.form.set_title')} id={id}>
      <form ref={form.ref} class="form sso-form" onSubmit={onSubmit} noValidate>
        <UrlField label={t('sso.form.issuer')} hint={t('sso.form.issuer_hint')} {...form.field('issuer')} required />
        <TextField
          label={t('sso.form.client_id')}
          hint={t('sso.form.client_id_hint')}
          {...form.field('client_id')}
          autocomplete="off"
          spellcheck={false}
          required
        />
        <TextField
          label={t('sso.form.client_secret')}
          hint={t(settings ? 'sso.form.client_secret_keep' : 'sso.form.client_secret_hint')}
          {...form.field('client_secret')}
          type="password"
          autocomplete="new-password"
          required={settings === null}
        />
        <TextField
          label={t('sso.form.scopes')}
          hint={t('sso.form.scopes_hint')}
          {...form.field('scopes')}
          autocomplete="off"
          spellcheck={false}
        />
        <TextField
          label={t('sso.form.domains')}
          hint={t('sso.form.domains_hint')}
          {...form.field('allowed_domains')}
          autocomplete="off"
          spellcheck={false}
        />
        <TextField
          label={t('sso.form.role_claim')}
          hint={t('sso.form.role_claim_hint')}
          {...form.field('role_claim')}
          autocomplete="off"
          spellcheck={false}
        />
        <FieldGroup
          id={`${id}-roles`}
          class="sso-roles"
          legend={t('sso.form.role_map')}
          hint={t('sso.form.role_map_hint')}
          error={errors.role_map}
          add={{ label: t('sso.form.role_add'), action: 'add-role-row', onAdd: addRow }}
        >
          {values.role_map.length ? (
            <div class="field-option-list">
              {values.role_map.map((row, index) => (
                <div key={row.id} class="field-option" role="group" aria-label={t('sso.form.role_row', { n: index + 1 })} data-role-row={row.id}>
                  <TextField
                    label={t('sso.form.role_value', { n: index + 1 })}
                    name={`role_value[${index}]`}
                    autocomplete="off"
                    spellcheck={false}
                    value={row.value}
                    error={errors[roleValueError(row)]}
                    onValue={(value) => setRow(index, { value })}
                  />
                  <SelectField
                    label={t('sso.form.role_given', { n: index + 1 })}
                    name={`role_given[${index}]`}
                    value={row.role}
                    options={MAPPED_ROLES.map((role) => ({ value: role, label: t(ROLE_LABEL[role]) }))}
                    onValue={(role) => setRow(index, { role: role as MappedRole })}
                  />
                  <button type="button" class="button button--secondary button--small" onClick={() => removeRow(index)}>
                    {t('sso.form.role_remove', { n: index + 1 })}
                  </button>
                </div>
              ))}
            </div>
          ) : (
            <p class="hint">{t('sso.form.role_map_empty')}</p>
          )}
        </FieldGroup>
        <SelectField
          label={t('sso.form.default_role')}
          hint={t('sso.form.default_role_hint')}
          name="default_role"
          value={values.default_role}
          error={errors.default_role}
          options={DEFAULT_ROLES.map((role) => ({ value: role, label: t(ROLE_LABEL[role]) }))}
          onValue={(role) => edit('default_role')(role as DefaultRole)}
        />
        {checkbox('auto_create', 'sso.form.auto_create', 'sso.form.auto_create_hint')}
        {checkbox('required_for_staff', 'sso.form.required_for_staff', 'sso.form.required_for_staff_hint')}
        <FormEnd formError={errors.form} submission={submission} submitLabel={t('sso.form.save')} />
      </form>
    </Panel>
  );
}
