/**
 * The page a copied participant's mail links to ("stop receiving this conversation"), signed in
 * or not: it takes the address off the ticket at once (as the unsubscribe page does) and says
 * which address left which ticket.
 */

import { ApiProblem } from '../api/problem';
import { leaveConversation } from '../data/participants';
import { useResource } from '../data/resource';
import { t } from '../i18n';
import { Link } from '../router/router';
import { useSession } from '../session/useSession';
import { Page } from '../ui/Page';
import { LinkOutcome } from '../ui/status';

export function LeavePage({ token }: { token: string | null }) {
  const outcome = useResource(`leave:${token ?? ''}`, () =>
    token ? leaveConversation(token) : Promise.reject(new ApiProblem({ status: 400, code: 'invalid_token' })),
  );
  const invalid = outcome.error instanceof ApiProblem && (outcome.error.code === 'invalid_token' || outcome.error.status === 400);
  const signedIn = useSession().status === 'signed_in';
  return (
    <Page title={t('participants.leave.title')} narrow>
      <LinkOutcome
        outcome={outcome}
        working={t('participants.leave.working')}
        refused={invalid ? t('participants.leave.invalid') : null}
        next={<Link href={signedIn ? '/' : '/login'}>{signedIn ? t('participants.leave.tickets') : t('participants.leave.sign_in')}</Link>}
      >
        {(left) => <p>{t('participants.leave.done', { email: left.email, number: left.ticket_number })}</p>}
      </LinkOutcome>
    </Page>
  );
}
