//! The page a notification mail's "unsubscribe" link opens, signed in or not: it turns that kind
//! of email off at once (the same one-click request mail clients send) and says which.

import { ApiProblem } from '../api/problem';
import { unsubscribe } from '../data/notifications';
import { useResource } from '../data/resource';
import { t } from '../i18n';
import { Link } from '../router/router';
import { Page } from '../ui/Page';
import { ErrorAlert, Loading, Notice } from '../ui/status';
import { KIND_LABELS, isKind } from './labels';

export function UnsubscribePage({ token }: { token: string | null }) {
  const outcome = useResource(`unsubscribe:${token ?? ''}`, () =>
    token ? unsubscribe(token) : Promise.reject(new ApiProblem({ status: 400, code: 'invalid_token' })),
  );
  const invalid = outcome.error instanceof ApiProblem && (outcome.error.code === 'invalid_token' || outcome.error.status === 400);
  return (
    <Page title={t('notifications.unsubscribe.title')} narrow>
      {outcome.loading ? <Loading label={t('notifications.unsubscribe.working')} /> : null}
      {outcome.data ? (
        <Notice tone="success">
          <p>
            {isKind(outcome.data.kind)
              ? t('notifications.unsubscribe.done', { kind: t(KIND_LABELS[outcome.data.kind]) })
              : t('notifications.unsubscribe.done_other')}
          </p>
        </Notice>
      ) : null}
      {invalid ? (
        <div class="alert alert--error" role="alert">
          <p>{t('notifications.unsubscribe.invalid')}</p>
        </div>
      ) : outcome.error ? (
        <ErrorAlert error={outcome.error} onRetry={outcome.reload} />
      ) : null}
      {!outcome.loading ? (
        <p>
          <Link href="/account/notifications">{t('notifications.unsubscribe.manage')}</Link>
        </p>
      ) : null}
    </Page>
  );
}
