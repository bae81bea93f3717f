//! Sign in to this organisation: email and password, then a second factor when the account has
//! one. Once signed in, the app takes the person where they were going.

import { useState } from 'preact/hooks';
import type { MfaChallenge } from '../api/schemas';
import { t } from '../i18n';
import { Link } from '../router/router';
import { session } from '../session';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { Page } from '../ui/Page';
import { ErrorAlert, Notice } from '../ui/status';
import { email, required } from '../ui/validate';
import { takeHandoff, type Handoff } from './handoff';
import { MfaStep } from './MfaStep';

const LOGIN_ERRORS = { unauthorized: 'auth.login.bad_credentials', rate_limited: 'auth.login.rate_limited' } as const;

export function LoginPage({ slug, next }: { slug: string; next: string | null }) {
  const [handoff] = useState<Handoff | null>(takeHandoff);
  const [challenge, setChallenge] = useState<MfaChallenge | null>(handoff?.challenge ?? null);
  const form = useFields({ email: handoff?.email ?? '', password: '' });
  const submission = useSubmit();

  if (challenge) {
    return (
      <Page title={t('auth.mfa.title')} narrow>
        <MfaStep onVerify={(factor) => session.verify(challenge.mfa_token, factor)} onCancel={() => setChallenge(null)} />
      </Page>
    );
  }

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ email: [required, email], password: [required] })) return;
    void submission.run(async () => {
      const result = await session.login(slug, form.values.email.trim(), form.values.password);
      if (result.kind === 'mfa') setChallenge(result.challenge);
    });
  };

  return (
    <Page title={t('auth.login.title')} narrow>
      {handoff?.notice ? <Notice tone="success">{t(`auth.notice.${handoff.notice}`)}</Notice> : null}
      {next ? <p>{t('auth.login.to_continue')}</p> : null}
      <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
        <TextField label={t('field.email')} name="email" type="email" autocomplete="username" value={form.values.email} onValue={form.set('email')} error={form.errors.email} required />
        <TextField label={t('field.password')} name="password" type="password" autocomplete="current-password" value={form.values.password} onValue={form.set('password')} error={form.errors.password} required />
        <ErrorAlert error={submission.error} overrides={LOGIN_ERRORS} />
        <button type="submit" class="button" disabled={submission.busy}>
          {submission.busy ? t('auth.login.submitting') : t('auth.login.submit')}
        </button>
      </form>
      <p class="aside">
        <Link href="/forgot-password">{t('auth.login.forgot')}</Link>
      </p>
      <p class="aside">
        {t('auth.login.no_account')} <Link href="/register">{t('auth.login.register_link')}</Link>
      </p>
    </Page>
  );
}
