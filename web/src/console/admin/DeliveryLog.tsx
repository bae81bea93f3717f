/**
 * An endpoint's delivery log: every attempt, newest first (when, which event, the answer's status,
 * how long it took, the error, the answer's first KiB, when the next attempt is due), "Replay"
 * beside each delivery's newest attempt, older attempts by "load more". A delivery queued from
 * the page (a test, a replay) is sent by the worker a moment later: the log is read again every
 * few seconds until its attempt appears, and again when a retry due soon should have happened.
 */

import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { deliveryAttempts, replayDelivery, type DeliveryAttempt } from '../../data/integrations';
import { formatDateTime, t } from '../../i18n';
import { useSubmit } from '../../ui/hooks';
import { EmptyState, ErrorAlert, Loaded, Loading, LoadMore, Notice } from '../../ui/status';
import { awaiting, formatMs, newestOfDelivery, retryRefreshIn, stillAwaited, succeeded, withHead, withPage, type AttemptLog, type Awaited } from './integrations';

/** How often the log is read while a queued delivery is awaited, and for how long at most. */
const AWAIT_EVERY_MS = 2000;
const AWAIT_AT_MOST_MS = 60_000;

export function DeliveryLog({ webhookId, url, queued }: { webhookId: string; url: string; queued: readonly string[] }) {
  const [log, setLog] = useState<AttemptLog | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [waited, setWaited] = useState<Awaited[]>([]);
  const [gaveUp, setGaveUp] = useState(false);
  const [replayed, setReplayed] = useState(false);
  const shown = useRef<AttemptLog | null>(null);
  const handled = useRef(0);
  const more = useSubmit();
  const id = useId();

  const show = (next: AttemptLog) => {
    shown.current = next;
    setLog(next);
    setWaited((w) => {
      const rest = stillAwaited(w, next.items);
      return rest.length === w.length ? w : rest;
    });
  };

  const refresh = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const head = await deliveryAttempts(webhookId, undefined, signal);
        if (signal?.aborted) return;
        show(withHead(shown.current, head));
        setError(null);
      } catch (e) {
        if (!signal?.aborted) setError(e);
      }
    },
    [webhookId],
  );

  useEffect(() => {
    const controller = new AbortController();
    void refresh(controller.signal);
    return () => controller.abort();
  }, [refresh]);

  const wait = (deliveryIds: string[]) => {
    setGaveUp(false);
    setWaited((w) => [...w, ...deliveryIds.map((d) => awaiting(d, shown.current))]);
  };

  // Deliveries queued by the row (tests) since last time: awaited from what the log holds now.
  useEffect(() => {
    const fresh = queued.slice(handled.current);
    handled.current = queued.length;
    if (!fresh.length) return;
    wait(fresh);
  }, [queued.length]);

  const isWaiting = waited.length > 0;
  useEffect(() => {
    if (!isWaiting) return;
    const timer = setInterval(() => void refresh(), AWAIT_EVERY_MS);
    const limit = setTimeout(() => {
      setWaited([]);
      setGaveUp(true);
    }, AWAIT_AT_MOST_MS);
    return () => {
      clearInterval(timer);
      clearTimeout(limit);
    };
  }, [isWaiting, refresh]);

  // A retry due soon is shown when it happens (not while the log is read every few seconds anyway).
  useEffect(() => {
    if (!log || isWaiting) return;
    const ms = retryRefreshIn(log.items, new Date());
    if (ms === null) return;
    const timer = setTimeout(() => void refresh(), ms);
    return () => clearTimeout(timer);
  }, [log, isWaiting, refresh]);

  const loadMore = () =>
    void more.run(async () => {
      const held = shown.current;
      if (!held?.cursor) return;
      const page = await deliveryAttempts(webhookId, held.cursor);
      // A refresh may have landed meanwhile: the page goes after what is shown now.
      show(withPage(shown.current ?? held, page));
    });

  const items = log?.items ?? [];
  const newest = newestOfDelivery(items);
  return (
    <section class="delivery-log" aria-labelledby={id}>
      <div class="section-head">
        <h4 id={id}>{t('integrations.log.title')}</h4>
        <button type="button" class="button button--secondary button--small" aria-label={t('integrations.log.refresh_named', { url })} onClick={() => void refresh()}>
          {t('integrations.log.refresh')}
        </button>
      </div>
      <Loaded resource={{ data: log ?? undefined, error: log ? null : error, loading: !log, reload: () => void refresh() }}>{() => null}</Loaded>
      {/* A later refresh's failure leaves the log shown: nothing to retry but Refresh. */}
      <ErrorAlert error={log ? error : null} />
      {isWaiting ? <Loading label={t('integrations.log.waiting')} /> : null}
      {gaveUp ? <Notice>{t('integrations.log.gave_up')}</Notice> : null}
      {replayed ? <Notice tone="success">{t('integrations.log.replayed')}</Notice> : null}
      {log && items.length === 0 ? <EmptyState title={t('integrations.log.empty')} /> : null}
      {items.length ? (
        <div class="table-wrap">
          <table class="attempts">
            <caption>{t('integrations.log.caption', { url })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('integrations.log.when')}</th>
                <th scope="col">{t('integrations.log.event')}</th>
                <th scope="col">{t('integrations.log.result')}</th>
                <th scope="col">{t('integrations.log.duration')}</th>
                <th scope="col">{t('integrations.log.error')}</th>
                <th scope="col">{t('integrations.log.next')}</th>
                <th scope="col">{t('integrations.log.response')}</th>
                <th scope="col">{t('integrations.log.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((attempt, i) => (
                <AttemptRow
                  key={String(attempt.id)}
                  attempt={attempt}
                  webhookId={webhookId}
                  replayable={newest.has(i)}
                  onReplayed={(deliveryId) => {
                    setReplayed(true);
                    wait([deliveryId]);
                    void refresh();
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore more={more} label={t('integrations.log.load_more')} onMore={log?.cursor ? loadMore : null} retry={false} />
    </section>
  );
}

function AttemptRow({ attempt, webhookId, replayable, onReplayed }: { attempt: DeliveryAttempt; webhookId: string; replayable: boolean; onReplayed: (deliveryId: string) => void }) {
  const submission = useSubmit();
  const when = formatDateTime(attempt.created_at);
  const ok = succeeded(attempt);
  return (
    <tr>
      <th scope="row">
        <time dateTime={attempt.created_at}>{when}</time>
      </th>
      <td>
        <code>{attempt.type}</code>
        <span class="fact-detail">{t('integrations.log.attempt_number', { number: attempt.attempt })}</span>
      </td>
      <td>
        <span class={ok ? 'badge badge--ok' : 'badge badge--bad'}>
          {attempt.status_code != null ? t('integrations.log.status', { code: attempt.status_code }) : t('integrations.log.no_response')}
        </span>
      </td>
      <td>{attempt.duration_ms != null ? formatMs(attempt.duration_ms) : <Nothing />}</td>
      <td class="attempt-error">{attempt.error ?? <Nothing />}</td>
      <td>{attempt.next_attempt_at ? <time dateTime={attempt.next_attempt_at}>{formatDateTime(attempt.next_attempt_at)}</time> : <Nothing />}</td>
      <td>
        {attempt.response_body ? (
          <details class="attempt-body">
            <summary>{t('integrations.log.show_body')}</summary>
            <pre>{attempt.response_body}</pre>
          </details>
        ) : (
          <Nothing />
        )}
      </td>
      <td>
        {replayable ? (
          <button
            type="button"
            class="button button--secondary button--small"
            disabled={submission.busy}
            aria-label={t('integrations.log.replay_named', { type: attempt.type, time: when })}
            onClick={() =>
              void submission.run(async () => {
                const queued = await replayDelivery(webhookId, attempt.delivery_id);
                onReplayed(queued.delivery_id);
              })
            }
          >
            {t('integrations.log.replay')}
          </button>
        ) : null}
        <ErrorAlert error={submission.error} />
      </td>
    </tr>
  );
}

/** An empty cell: a dash to the eye, a word to a screen reader. */
function Nothing() {
  return (
    <>
      <span aria-hidden="true">—</span>
      <span class="visually-hidden">{t('integrations.log.none')}</span>
    </>
  );
}
