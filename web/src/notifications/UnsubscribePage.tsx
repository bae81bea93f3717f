/**
 * The page a notification mail's "unsubscribe" link opens, signed in or not: it turns that kind
 * of email off at once (the same one-click request mail clients send) and says which.
 */

import { ApiProblem } from '../api/problem';
import { unsubscribe } from '../data/notifications';
import { useResource } from '../data/resource';
import { t } from '../i18n';
import { Link } from '../router/router';
import { Page } from '../ui/Page';
import { LinkOutcome } from '../ui/status';
import { KIND_LABELS, isKind } from './labels';

export function UnsubscribePage({ token }: { token: string | null }) {
  const outcome = useResource(`unsubscribe:${token ?? ''}`, () =>
    token ? unsubscribe(token) : Promise.reject(new ApiProblem({ status: 400, code: 'invalid_token' })),
  );
  const invalid = outcome.error instanceof ApiProblem && (outcome.error.code === 'invalid_token' || outcome.error.status === 400);
  return (
    <Page title={t('notifications.unsubscribe.title')} narrow>
      <LinkOutcome
        outcome={outcome}
        working={t('notifications.unsubscribe.working')}
        refused={invalid ? t('notifications.unsubscribe.invalid') : null}
        next={<Link href="/account/notifications">{t('notifications.unsubscribe.manage')}</Link>}
      >
        {(done) => <p>{isKind(done.kind) ? t('notifications.unsubscribe.done', { kind: t(KIND_LABELS[done.kind]) }) : t('notifications.unsubscribe.done_other')}</p>}
      </LinkOutcome>
    </Page>
  );
}
