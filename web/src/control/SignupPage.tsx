/** Sign up an organisation: its name and address (slug), and its owner's account. */

import { useState } from 'preact/hooks';
import { signUp } from '../data/organisation';
import { tenantDomain } from '../host';
import { t } from '../i18n';
import { navigate } from '../router/router';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { ErrorAlert } from '../ui/status';
import { maxLength, required, type Rule } from '../ui/validate';
import { NEW_ACCOUNT_RULES, NewPasswordField } from '../auth/PersonFields';
import { FindOrganisation } from './FindOrganisation';
import { keepSignInToken } from './signInToken';
import { isValidSlug, suggestSlug } from './slug';

const slugRule: Rule = (value) => (isValidSlug(value) ? null : 'validation.slug');

const RENAME = { 'admin.email': 'email', 'admin.password': 'password', 'admin.firstname': 'firstname', 'admin.lastname': 'lastname' };

export function SignupPage() {
  const form = useFields({ organization_name: '', slug: '', firstname: '', lastname: '', email: '', password: '' });
  const [slugEdited, setSlugEdited] = useState(false);
  const submission = useSubmit();
  const { values, errors } = form;

  const onName = (name: string) => {
    form.set('organization_name')(name);
    if (!slugEdited) form.set('slug')(suggestSlug(name));
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const passed = form.check({
      organization_name: [required, maxLength(200)],
      slug: [required, slugRule],
      ...NEW_ACCOUNT_RULES,
    });
    if (!passed) return;
    void submission.run(async () => {
      await form.server(async () => {
        const answer = await signUp({
          organization_name: values.organization_name.trim(),
          slug: values.slug,
          admin: { email: values.email.trim(), password: values.password, firstname: values.firstname.trim(), lastname: values.lastname.trim() },
        });
        if (answer.sign_in_token) keepSignInToken(answer.tenant.slug, answer.sign_in_token);
        navigate(`/setup/${encodeURIComponent(answer.tenant.slug)}`);
      }, RENAME);
    });
  };

  return (
    <Page title={t('signup.title')} narrow>
      <p class="lead">{t('signup.lead')}</p>
      <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
        <fieldset>
          <legend>{t('signup.organisation')}</legend>
          <TextField label={t('signup.organization_name')} name="organization_name" autocomplete="organization" value={values.organization_name} onValue={onName} error={errors.organization_name} required />
          <TextField
            label={t('signup.slug')}
            name="slug"
            autocomplete="off"
            autocapitalize="none"
            spellcheck={false}
            value={values.slug}
            onValue={(v) => {
              setSlugEdited(true);
              form.set('slug')(v.toLowerCase());
            }}
            hint={t('signup.slug_hint', { address: `${values.slug || 'acme'}.${tenantDomain(window.location.hostname)}` })}
            error={errors.slug}
            required
          />
        </fieldset>
        <fieldset>
          <legend>{t('signup.owner')}</legend>
          <div class="field-row">
            <TextField label={t('field.firstname')} name="firstname" autocomplete="given-name" value={values.firstname} onValue={form.set('firstname')} error={errors.firstname} required />
            <TextField label={t('field.lastname')} name="lastname" autocomplete="family-name" value={values.lastname} onValue={form.set('lastname')} error={errors.lastname} required />
          </div>
          <TextField label={t('field.email')} name="email" type="email" autocomplete="email" value={values.email} onValue={form.set('email')} error={errors.email} required />
          <NewPasswordField {...form.field('password')} />
        </fieldset>
        <ErrorAlert error={submission.error} overrides={{ conflict: 'signup.conflict', validation_failed: 'error.check_fields' }} />
        <button type="submit" class="button" disabled={submission.busy}>
          {submission.busy ? t('signup.submitting') : t('signup.submit')}
        </button>
      </form>
      <FindOrganisation />
    </Page>
  );
}
