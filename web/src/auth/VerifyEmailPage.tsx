/**
 * The link mailed to a customer who registered: confirms the address as soon as the page opens,
 * signed in or not. A signed-in session then learns of it (its banner goes away).
 */

import { useEffect } from 'preact/hooks';
import { verifyEmail } from '../data/account';
import { useResource } from '../data/resource';
import { t } from '../i18n';
import { Link } from '../router/router';
import { session } from '../session';
import { useSession } from '../session/useSession';
import { Page } from '../ui/Page';
import { LinkOutcome } from '../ui/status';
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
      <LinkOutcome
        outcome={outcome}
        working={t('auth.verify.working')}
        refused={isInvalidLink(outcome.error) ? t('auth.verify.invalid') : null}
        next={
          <Link href={signedIn ? '/' : '/login'} class="button">
            {signedIn ? t('auth.verify.continue') : t('auth.verify.sign_in')}
          </Link>
        }
      >
        {() => <p>{t('auth.verify.done')}</p>}
      </LinkOutcome>
    </Page>
  );
}
