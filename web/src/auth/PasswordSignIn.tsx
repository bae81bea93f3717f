/** The email and password form of a sign-in, for an organisation's people and for platform
 * operators alike: checked here first, then `onSignIn` (the session's sign-in and what follows);
 * and the two steps around it, the password then the second factor (`useSignInSteps`). */

import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { session } from '../session';
import { Page } from '../ui/Page';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';
import { email, required } from '../ui/validate';
import { MfaStep } from './MfaStep';

const LOGIN_ERRORS = { unauthorized: 'auth.login.bad_credentials', rate_limited: 'auth.login.rate_limited', sso_required: 'auth.sso.required' } as const;

export function PasswordSignIn({ initialEmail = '', onSignIn }: { initialEmail?: string; onSignIn: (email: string, password: string) => Promise<void> }) {
  const form = useFields({ email: initialEmail, password: '' });
  const submission = useSubmit();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ email: [required, email], password: [required] })) return;
    void submission.run(() => onSignIn(form.values.email.trim(), form.values.password));
  };

  return (
    <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
      <TextField label={t('field.email')} name="email" type="email" autocomplete="username" value={form.values.email} onValue={form.set('email')} error={form.errors.email} required />
      <TextField label={t('field.password')} name="password" type="password" autocomplete="current-password" value={form.values.password} onValue={form.set('password')} error={form.errors.password} required />
      <ErrorAlert error={submission.error} overrides={LOGIN_ERRORS} />
      <button type="submit" class="button" disabled={submission.busy}>
        {submission.busy ? t('auth.login.submitting') : t('auth.login.submit')}
      </button>
    </form>
  );
}

/** Where a sign-in starts: a second factor's challenge already open (handed over by another
 * page, or back from a provider), and the address to show in the form. */
export interface SignInStart {
  mfaToken: string | null;
  email: string;
}

/** Signing in to `tenant` (a slug; `null`: the platform, for its operators): `signIn` for the
 * password form, then `mfaPage`, the second factor's step, while the account's challenge is
 * open (leaving it shows the form again, the address last typed in it). `start` is read once. */
export function useSignInSteps(tenant: string | null, start: () => SignInStart) {
  const [started] = useState(start);
  const [mfaToken, setMfaToken] = useState(started.mfaToken);
  const [typedEmail, setTypedEmail] = useState(started.email);

  const signIn = async (email: string, password: string) => {
    setTypedEmail(email);
    const result = await session.login(tenant, email, password);
    if (result.kind === 'mfa') setMfaToken(result.challenge.mfa_token);
  };
  const mfaPage: JSX.Element | null = mfaToken ? (
    <Page title={t('auth.mfa.title')} narrow>
      <MfaStep onVerify={(factor) => session.verify(mfaToken, factor)} onCancel={() => setMfaToken(null)} />
    </Page>
  ) : null;
  return { signIn, mfaPage, typedEmail };
}
