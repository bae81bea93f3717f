/**
 * Choosing a new password from the link mailed by "forgot password". The reset ends every
 * session of the account, so the person then signs in again with the new password.
 */

import { resetPassword } from '../data/account';
import { t } from '../i18n';
import { Link, navigate } from '../router/router';
import { session } from '../session';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { ErrorAlert } from '../ui/status';
import { hasErrors, newPassword, required, validate } from '../ui/validate';
import { handOff } from './handoff';
import { isInvalidLink } from './recovery';

export function ResetPasswordPage({ token }: { token: string | null }) {
  const form = useFields({ password: '', confirm: '' });
  const submission = useSubmit();
  const { values, errors } = form;

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const found = validate(values, { password: [newPassword], confirm: [required] });
    if (!found.confirm && values.confirm !== values.password) found.confirm = t('auth.reset.mismatch');
    form.setErrors(found);
    if (hasErrors(found)) return form.focusInvalid();
    void submission.run(async () => {
      await form.server(async () => {
        await resetPassword(token ?? '', values.password);
      }, { new_password: 'password' });
      // Every session of the account has ended, this tab's too if it had one.
      if (session.current.status === 'signed_in') await session.logout();
      handOff({ notice: 'password_reset' });
      navigate('/login', { replace: true });
    });
  };

  const invalid = !token || isInvalidLink(submission.error);
  return (
    <Page title={t('auth.reset.title')} narrow>
      {invalid ? (
        <div class="alert alert--error" role="alert">
          <p>{t('auth.reset.invalid')}</p>
          <p>
            <Link href="/forgot-password">{t('auth.reset.ask_again')}</Link>
          </p>
        </div>
      ) : (
        <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
          <TextField
            label={t('auth.reset.new_password')}
            {...form.field('password', 'new-password')}
            type="password"
            autocomplete="new-password"
            hint={t('field.password_hint')}
            required
          />
          <TextField
            label={t('auth.reset.confirm_password')}
            {...form.field('confirm', 'confirm-password')}
            type="password"
            autocomplete="new-password"
            required
          />
          <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields' }} />
          <button type="submit" class="button" disabled={submission.busy}>
            {submission.busy ? t('common.working') : t('auth.reset.submit')}
          </button>
        </form>
      )}
    </Page>
  );
}
