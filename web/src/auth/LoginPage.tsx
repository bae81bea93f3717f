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
import { Page } from '../ui/Page';
import { Notice } from '../ui/status';
import { takeHandoff, type Handoff } from './handoff';
import { PasswordSignIn, useSignInSteps } from './PasswordSignIn';
import { ssoErrorMessage, takeFragmentValue } from './sso';

/** Notices that tell of something that did not work, rather than of something done. */
const NOTICE_TONE: Partial<Record<NonNullable<Handoff['notice']>, 'info'>> = { sign_in_link_refused: 'info', sign_in_link_unavailable: 'info' };

export function LoginPage({ slug, next, ssoError }: { slug: string; next: string | null; ssoError: string | null }) {
  const [handoff] = useState<Handoff | null>(takeHandoff);
  // A challenge handed over by another page, or left in the fragment by the provider's return.
  const { signIn, mfaPage, typedEmail } = useSignInSteps(slug, () => ({
    mfaToken: handoff?.challenge?.mfa_token ?? takeFragmentValue('mfa_token'),
    email: handoff?.email ?? '',
  }));
  const offer = useResource(`sso-offer:${slug}`, (signal) => getSsoOffer(slug, signal));
  const ssoHint = useId();

  if (mfaPage) return mfaPage;

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
      <PasswordSignIn initialEmail={typedEmail} onSignIn={signIn} />
      <p class="aside">
        <Link href="/forgot-password">{t('auth.login.forgot')}</Link>
      </p>
      <p class="aside">
        {t('auth.login.no_account')} <Link href="/register">{t('auth.login.register_link')}</Link>
      </p>
    </Page>
  );
}
