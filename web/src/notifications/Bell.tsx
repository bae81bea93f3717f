/**
 * The bell in the signed-in header: the unread count (at first the one `GET /v1/me` brought, so a
 * page opens without asking for it; then one notification and the count, with the last ETag:
 * read again on the live stream's `notification` frames, or polled every 10 s while the stream is
 * down and the tab visible), and a panel of the notifications, newest first, each leading to its
 * ticket and read once followed.
 */

import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { markAllNotificationsRead, markNotificationsRead, listNotifications, revalidateNotifications, type Notification, type NotificationPage } from '../data/notifications';
import { notificationArrived } from '../data/live';
import { usePaged } from '../data/paged';
import { useLive } from '../data/resource';
import { formatDateTime, t, tn } from '../i18n';
import { Link } from '../router/router';
import { useDismiss, useSubmit } from '../ui/hooks';
import { ErrorAlert, Loaded } from '../ui/status';
import { arrivals, badgeText, markedRead, type BellState } from './model';

export const BELL_INTERVAL_MS = 10_000;
const PANEL_PAGE = 10;

/** `unread`: the count the signed-in person was read with, shown until the bell reads its own. */
export function Bell({ unread: atFirst }: { unread?: number }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const given = useRef(atFirst);
  const count = useLive<NotificationPage>('notifications:count', async (etag, signal) => {
    const first = given.current;
    given.current = undefined;
    // No newest notification yet: what arrives next is not announced as arrived before it.
    if (first !== undefined) return { changed: true, body: { data: [], next_cursor: null, unread_count: first }, etag: null };
    return revalidateNotifications(1, etag, signal);
  }, {
    intervalMs: BELL_INTERVAL_MS,
    follows: notificationArrived,
  });
  const unread = count.data?.unread_count ?? 0;
  const newest = count.data?.data[0]?.id ?? null;
  const arrived = useArrivals(unread, newest);

  useDismiss(open, () => setOpen(false), button, box);

  const label = unread > 0 ? tn('notifications.bell.label_unread', unread) : t('notifications.bell.label');
  return (
    <div class="bell" ref={box}>
      <button
        ref={button}
        type="button"
        class={unread > 0 ? 'bell-button bell-button--unread' : 'bell-button'}
        aria-label={label}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <BellIcon />
        {unread > 0 ? (
          <span class="bell-count" aria-hidden="true">
            {badgeText(unread)}
          </span>
        ) : null}
      </button>
      <p class="visually-hidden" role="status">
        {arrived > 0 ? tn('notifications.bell.arrived', arrived) : ''}
      </p>
      {open ? <NotificationPanel id={id} stamp={`${unread}:${newest ?? ''}`} onChanged={count.refresh} onClose={() => setOpen(false)} /> : null}
    </div>
  );
}

/** How many notifications arrived at the last poll that brought some (announced politely). */
function useArrivals(unread: number, newest: number | null): number {
  const last = useRef<BellState | null>(null);
  const [arrived, setArrived] = useState(0);
  useEffect(() => {
    const count = arrivals(last.current, { unread, newest });
    last.current = { unread, newest };
    if (count !== null) setArrived(count);
  }, [unread, newest]);
  return arrived;
}

function NotificationPanel({ id, stamp, onChanged, onClose }: { id: string; stamp: string; onChanged: () => Promise<void>; onClose: () => void }) {
  const list = usePaged<Notification>(
    'notifications:list',
    {
      head: async (limit, _etag, signal) => ({ changed: true, body: await listNotifications({ limit }, signal), etag: null }),
      page: (cursor) => listNotifications({ limit: PANEL_PAGE, cursor }),
    },
    { live: false, pageSize: PANEL_PAGE },
  );
  const more = useSubmit();
  const marking = useSubmit();

  // The count moved while the panel is open: read the list again.
  const seen = useRef(stamp);
  useEffect(() => {
    if (seen.current === stamp) return;
    seen.current = stamp;
    void list.refresh();
  }, [stamp]);

  const items = list.listing?.items ?? [];
  const markRead = (which: number[] | 'all') =>
    list.setData((current) => current && { ...current, items: markedRead(current.items, which, new Date().toISOString()) });

  const follow = (notification: Notification) => {
    if (notification.read_at === null) {
      markRead([notification.id]);
      markNotificationsRead([notification.id]).then(onChanged, () => undefined);
    }
    onClose();
  };
  const markAll = () =>
    void marking.run(async () => {
      await markAllNotificationsRead();
      markRead('all');
      await onChanged();
    });

  return (
    <div id={id} class="bell-panel" role="region" aria-labelledby={`${id}-title`}>
      <div class="bell-head">
        <h2 id={`${id}-title`}>{t('notifications.panel.title')}</h2>
        <button type="button" class="button button--link button--small" onClick={markAll} disabled={marking.busy || !items.some((n) => n.read_at === null)}>
          {t('notifications.panel.mark_all')}
        </button>
      </div>
      <ErrorAlert error={marking.error} />
      <Loaded resource={list}>
        {({ items }) =>
          items.length ? (
            <ul class="notification-list" aria-label={t('notifications.panel.list')}>
              {items.map((n) => (
                <li key={n.id} class={n.read_at === null ? 'notification notification--unread' : 'notification'}>
                  {n.read_at === null ? <span class="notification-dot" aria-hidden="true" /> : null}
                  <div class="notification-body">
                    {n.ticket_id !== null ? (
                      <Link href={`/tickets/${n.ticket_id}`} onClick={() => follow(n)}>
                        {n.title}
                      </Link>
                    ) : n.kind === 'webhook_disabled' ? (
                      <Link href="/admin/integrations" onClick={() => follow(n)}>
                        {n.title}
                      </Link>
                    ) : (
                      <span>{n.title}</span>
                    )}
                    <span class="notification-meta">
                      <time dateTime={n.created_at}>{formatDateTime(n.created_at)}</time>
                      {n.read_at === null ? <span class="visually-hidden">, {t('notifications.panel.unread')}</span> : null}
                    </span>
                  </div>
                </li>
              ))}
            </ul>
          ) : (
            <p class="bell-empty">{t('notifications.panel.empty')}</p>
          )
        }
      </Loaded>
      <ErrorAlert error={more.error} />
      <div class="bell-foot">
        {list.listing?.cursor ? (
          <button type="button" class="button button--secondary button--small" onClick={() => void more.run(list.loadMore)} disabled={more.busy}>
            {t('notifications.panel.load_more')}
          </button>
        ) : null}
        <Link href="/account/notifications" onClick={onClose}>
          {t('notifications.panel.settings')}
        </Link>
      </div>
    </div>
  );
}

function BellIcon() {
  return (
    <svg class="icon bell-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
      <path
        d="M12 3a6 6 0 0 0-6 6v3.6L4.3 15.4A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.6L18 12.6V9a6 6 0 0 0-6-6zm-2.5 15.5a2.5 2.5 0 0 0 5 0z"
        fill="currentColor"
      />
    </svg>
  );
}
