/** Customers create their own account on the organisation's host, then are signed in. */

import { register } from '../data/account';
import { t } from '../i18n';
import { Link } from '../router/router';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { ErrorAlert } from '../ui/status';
import { NEW_ACCOUNT_RULES, NameFields, NewPasswordField } from './PersonFields';
import { signInAfter } from './signInAfter';

export function RegisterPage({ slug }: { slug: string }) {
  const form = useFields({ firstname: '', lastname: '', email: '', password: '' });
  const submission = useSubmit();
  const { values, errors } = form;

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check(NEW_ACCOUNT_RULES)) return;
    void submission.run(async () => {
      const person = { email: values.email.trim(), firstname: values.firstname.trim(), lastname: values.lastname.trim() };
      await form.server(async () => {
        await register({ tenant: slug, password: values.password, ...person });
      });
      await signInAfter(slug, person.email, values.password, 'registered');
    });
  };

  return (
    <Page title={t('auth.register.title')} narrow>
      <p class="lead">{t('auth.register.lead')}</p>
      <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
        <NameFields values={values} errors={errors} set={form.set} />
        <TextField label={t('field.email')} name="email" type="email" autocomplete="email" value={values.email} onValue={form.set('email')} error={errors.email} required />
        <NewPasswordField {...form.field('password')} />
        <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields' }} />
        <button type="submit" class="button" disabled={submission.busy}>
          {submission.busy ? t('auth.register.submitting') : t('auth.register.submit')}
        </button>
      </form>
      <p class="aside">
        {t('auth.register.have_account')} <Link href="/login">{t('auth.register.login_link')}</Link>
      </p>
    </Page>
  );
}
