//! The queues one click away: the views, then the saved filters.

import { t, type MessageKey } from '../../i18n';
import { Link } from '../../router/router';
import type { Saved } from './useSaved';
import { DEFAULT_STATE, VIEWS, queueHref, type QueueState, type ViewId } from './views';

const VIEW_LABEL: Record<ViewId, MessageKey> = {
  mine: 'console.view.mine',
  unassigned: 'console.view.unassigned',
  all: 'console.view.all',
};

export function QueueNav({ state, admin, saved }: { state: QueueState; admin: boolean; saved: Saved }) {
  const here = queueHref(state);
  const views = VIEWS.filter((v) => v !== 'all' || admin);
  return (
    <nav class="queue-nav" aria-label={t('console.view.label')}>
      <ul class="tabs">
        {views.map((view) => {
          const href = queueHref({ ...DEFAULT_STATE, view });
          return (
            <li key={view}>
              <Link href={href} aria-current={href === here ? 'page' : undefined}>
                {t(VIEW_LABEL[view])}
              </Link>
            </li>
          );
        })}
      </ul>
      {saved.filters.length ? (
        <div class="saved">
          <h2 class="saved-title">{t('console.saved.title')}</h2>
          <ul class="saved-list">
            {saved.filters.map((filter) => {
              const href = queueHref(filter.state);
              return (
                <li key={filter.id}>
                  <Link href={href} aria-current={href === here ? 'page' : undefined}>
                    {filter.name}
                  </Link>
                  <button type="button" class="button button--link button--small" onClick={() => saved.remove(filter.id)} aria-label={t('console.saved.delete_named', { name: filter.name })}>
                    {t('console.saved.delete')}
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
    </nav>
  );
}
