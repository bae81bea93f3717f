/**
 * Asking for a link to choose a new password. The answer is the same whether or not an account
 * has that address, and so is what this page says.
 */

import { useState } from 'preact/hooks';
import { ApiProblem } from '../api/problem';
import { forgotPassword } from '../data/account';
import { getLocale, t } from '../i18n';
import { Link } from '../router/router';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { ErrorAlert, Notice } from '../ui/status';
import { email, required } from '../ui/validate';
import { neutralAnswer } from './recovery';

export function ForgotPasswordPage({ slug }: { slug: string }) {
  const form = useFields({ email: '' });
  const submission = useSubmit();
  const [sent, setSent] = useState(false);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ email: [required, email] })) return;
    setSent(false);
    void submission.run(async () => {
      try {
        await forgotPassword({ tenant: slug, email: form.values.email.trim(), language: getLocale() });
      } catch (error) {
        if (!neutralAnswer(error)) {
          if (error instanceof ApiProblem) form.showServerErrors(error);
          throw error;
        }
      }
      setSent(true);
    });
  };

  return (
    <Page title={t('auth.forgot.title')} narrow>
      <p class="lead">{t('auth.forgot.lead')}</p>
      {sent ? (
        <Notice tone="success">
          <p>{t('auth.forgot.sent')}</p>
        </Notice>
      ) : null}
      <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
        <TextField label={t('field.email')} name="email" type="email" autocomplete="username" value={form.values.email} onValue={form.set('email')} error={form.errors.email} required />
        <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields' }} />
        <button type="submit" class="button" disabled={submission.busy}>
          {submission.busy ? t('common.working') : t('auth.forgot.submit')}
        </button>
      </form>
      <p class="aside">
        <Link href="/login">{t('auth.forgot.back')}</Link>
      </p>
    </Page>
  );
}
