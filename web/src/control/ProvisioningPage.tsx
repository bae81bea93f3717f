/**
 * A new organisation's space being prepared: progress announced in a status region, then off to
 * its host, signed in with the token the sign-up answered (`../auth/signInToken.ts`), or to its
 * sign-in page without one.
 */

import { useEffect, useState } from 'preact/hooks';
import { withSignInToken } from '../auth/signInToken';
import { tenantStatus } from '../data/organisation';
import { tenantLoginUrl } from '../host';
import { t } from '../i18n';
import { Page } from '../ui/Page';
import { appUrlOf } from './appUrl';
import { pollUntilActive, type PollResult } from './provisioning';
import { takeSignInToken } from './signInToken';

type Phase = { kind: 'waiting' } | PollResult;

export function ProvisioningPage({ slug }: { slug: string }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'waiting' });
  const [attempt, setAttempt] = useState(0);
  const [signInToken] = useState(() => takeSignInToken(slug));

  useEffect(() => {
    const controller = new AbortController();
    setPhase({ kind: 'waiting' });
    void pollUntilActive({
      signal: controller.signal,
      fetchStatus: (signal) => tenantStatus(slug, signal),
    }).then((result) => {
      if (!controller.signal.aborted) setPhase(result);
    });
    return () => controller.abort();
  }, [slug, attempt]);

  const signInUrl = phase.kind === 'active' ? tenantLoginUrl(slug, appUrlOf(phase.view), window.location) : null;
  const loginUrl = signInUrl && signInToken ? withSignInToken(signInUrl, signInToken) : signInUrl;
  // Off at once: the next page says where the person is ("Signing you in…" in its own status
  // region, then the console's heading), so nobody waits here for this page's last words.
  useEffect(() => {
    if (loginUrl) window.location.assign(loginUrl);
  }, [loginUrl]);

  const failed = phase.kind === 'failed' || phase.kind === 'not_found' || phase.kind === 'timeout';
  return (
    <Page title={t('setup.title')} narrow>
      <div class="progress-panel">
        {phase.kind === 'waiting' ? <progress class="progress" aria-label={t('setup.progress_label')} /> : null}
        <div role="status" class="progress-message">
          {phase.kind === 'waiting' ? <p>{t('setup.waiting', { slug })}</p> : null}
          {loginUrl ? <p>{t(signInToken ? 'setup.ready_signing_in' : 'setup.ready', { slug })}</p> : null}
        </div>
        <div role="alert">{failed ? <p class="alert alert--error">{failureMessage(phase, slug)}</p> : null}</div>
        {loginUrl ? (
          <a class="button" href={loginUrl}>
            {t(signInToken ? 'setup.go_to_helpdesk' : 'setup.go_to_login')}
          </a>
        ) : null}
        {phase.kind === 'timeout' ? (
          <button type="button" class="button button--secondary" onClick={() => setAttempt((n) => n + 1)}>
            {t('setup.check_again')}
          </button>
        ) : null}
      </div>
    </Page>
  );
}

function failureMessage(phase: Phase, slug: string): string {
  if (phase.kind === 'timeout') return t('setup.timeout', { slug });
  if (phase.kind === 'not_found') return t('setup.not_found', { slug });
  return t('setup.failed', { slug });
}
