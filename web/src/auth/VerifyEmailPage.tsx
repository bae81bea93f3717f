//! The link mailed to a customer who registered: confirms the address as soon as the page opens,
//! signed in or not. A signed-in session then learns of it (its banner goes away).

import { useEffect } from 'preact/hooks';
import { verifyEmail } from '../data/account';
import { useResource } from '../data/resource';
import { t } from '../i18n';
import { Link } from '../router/router';
import { session } from '../session';
import { useSession } from '../session/useSession';
import { Page } from '../ui/Page';
import { ErrorAlert, Loading, Notice } from '../ui/status';
import { isInvalidLink } from './recovery';
import { ApiProblem } from '../api/problem';

export function VerifyEmailPage({ token }: { token: string | null }) {
  const outcome = useResource(`verify-email:${token ?? ''}`, async () => {
    if (!token) throw new ApiProblem({ status: 400, code: 'invalid_token' });
    await verifyEmail(token);
    return true;
  });
  const signedIn = useSession().status === 'signed_in';
  useEffect(() => {
    // The session's profile carries `email_verified`: a refresh brings the new value.
    if (outcome.data && signedIn) session.refresh().catch(() => undefined);
  }, [outcome.data]);

  return (
    <Page title={t('auth.verify.title')} narrow>
      {outcome.loading ? <Loading label={t('auth.verify.working')} /> : null}
      {outcome.data ? (
        <Notice tone="success">
          <p>{t('auth.verify.done')}</p>
        </Notice>
      ) : null}
      {isInvalidLink(outcome.error) ? (
        <div class="alert alert--error" role="alert">
          <p>{t('auth.verify.invalid')}</p>
        </div>
      ) : outcome.error ? (
        <ErrorAlert error={outcome.error} onRetry={outcome.reload} />
      ) : null}
      {!outcome.loading ? (
        <p>
          <Link href={signedIn ? '/' : '/login'} class="button">
            {signedIn ? t('auth.verify.continue') : t('auth.verify.sign_in')}
          </Link>
        </p>
      ) : null}
    </Page>
  );
}
