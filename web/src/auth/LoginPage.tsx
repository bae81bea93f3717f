/**
 * Sign in to this organisation: with its own provider when it has single sign-on ("Sign in
 * with your organisation", a plain link the server answers by sending the browser there), or
 * with email and password; then a second factor when the account has one. Back from the
 * provider, the page says why a sign-in was refused (`?sso_error=`), or goes on to the second
 * factor with the challenge the provider's sign-in opened (`#mfa_token=`). Once signed in, the
 * app takes the person where they were going.
 */

import { useId, useState } from 'preact/hooks';
import { useResource } from '../data/resource';
import { getSsoOffer, ssoStartAddress } from '../data/sso';
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
import { ssoErrorMessage, takeFragmentValue } from './sso';

const LOGIN_ERRORS = { unauthorized: 'auth.login.bad_credentials', rate_limited: 'auth.login.rate_limited', sso_required: 'auth.sso.required' } as const;

/** Notices that tell of something that did not work, rather than of something done. */
const NOTICE_TONE: Partial<Record<NonNullable<Handoff['notice']>, 'info'>> = { sign_in_link_refused: 'info', sign_in_link_unavailable: 'info' };

export function LoginPage({ slug, next, ssoError }: { slug: string; next: string | null; ssoError: string | null }) {
  const [handoff] = useState<Handoff | null>(takeHandoff);
  // A challenge handed over by another page, or left in the fragment by the provider's return.
  const [mfaToken, setMfaToken] = useState<string | null>(() => handoff?.challenge?.mfa_token ?? takeFragmentValue('mfa_token'));
  const offer = useResource(`sso-offer:${slug}`, (signal) => getSsoOffer(slug, signal));
  const form = useFields({ email: handoff?.email ?? '', password: '' });
  const submission = useSubmit();
  const ssoHint = useId();

  if (mfaToken) {
    return (
      <Page title={t('auth.mfa.title')} narrow>
        <MfaStep onVerify={(factor) => session.verify(mfaToken, factor)} onCancel={() => setMfaToken(null)} />
      </Page>
    );
  }

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ email: [required, email], password: [required] })) return;
    void submission.run(async () => {
      const result = await session.login(slug, form.values.email.trim(), form.values.password);
      if (result.kind === 'mfa') setMfaToken(result.challenge.mfa_token);
    });
  };
  const refusal = ssoErrorMessage(ssoError);
  const sso = offer.data;

  return (
    <Page title={t('auth.login.title')} narrow>
      {handoff?.notice ? <Notice tone={NOTICE_TONE[handoff.notice] ?? 'success'}>{t(`auth.notice.${handoff.notice}`)}</Notice> : null}
      {next ? <p>{t('auth.login.to_continue')}</p> : null}
      {refusal ? (
        <div class="alert alert--error" role="alert">
          <p>{t(refusal)}</p>
        </div>
      ) : null}
      {sso ? (
        <div class="sso-offer">
          <a class="button button--wide" href={ssoStartAddress(slug)} aria-describedby={ssoHint}>
            {t('auth.sso.button')}
          </a>
          <p class="hint" id={ssoHint}>
            {t(sso.required_for_staff ? 'auth.sso.hint_staff_required' : 'auth.sso.hint')}
          </p>
          <p class="sso-or" aria-hidden="true">
            <span>{t('auth.sso.or')}</span>
          </p>
        </div>
      ) : null}
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
