//! A queue that stays current: its head polled with the last ETag every few seconds while the
//! tab is visible, further pages loaded on demand ("load more").

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, revalidate } from '../../api';
import { delayAfter } from '../live/backoff';
import { LIVE_INTERVAL_MS, Poller } from '../live/poller';
import { PAGE_SIZE, appendPage, headSize, mergeHead, type Listing } from './merge';
import type { TicketQuery } from './views';

export type QueueTicket = Awaited<ReturnType<typeof fetchPage>>['data'][number];

function fetchPage(query: TicketQuery, cursor: string, signal?: AbortSignal) {
  return api('GET', '/v1/tickets', { query: { ...query, limit: PAGE_SIZE, cursor }, signal });
}

export interface Queue {
  listing: Listing<QueueTicket> | null;
  error: unknown;
  stale: unknown;
  loading: boolean;
  /** Tickets that appeared at the last update (for the live announcement). */
  arrived: number;
  loadMore: () => Promise<void>;
  refresh: () => Promise<void>;
  reload: () => void;
}

export function useQueue(query: TicketQuery): Queue {
  const key = JSON.stringify(query);
  const [state, setState] = useState<{ listing: Listing<QueueTicket> | null; error: unknown; stale: unknown; loading: boolean; arrived: number }>({
    listing: null,
    error: null,
    stale: null,
    loading: true,
    arrived: 0,
  });
  const [attempt, setAttempt] = useState(0);
  const shown = useRef<{ key: string; listing: Listing<QueueTicket> } | null>(null);
  const poller = useRef<Poller | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    let etag: string | null = null;
    let asked = PAGE_SIZE;
    let failures = 0;
    const run = async (): Promise<number | void> => {
      const mine = shown.current?.key === key ? shown.current.listing : null;
      const want = mine ? headSize(mine.items.length) : PAGE_SIZE;
      try {
        const answer = await revalidate('/v1/tickets', want === asked ? etag : null, { query: { ...query, limit: want }, signal: controller.signal });
        if (controller.signal.aborted) return;
        failures = 0;
        if (!answer.changed) {
          setState((s) => (s.stale ? { ...s, stale: null } : s));
          return;
        }
        etag = answer.etag;
        asked = want;
        const head = { items: answer.body.data, cursor: answer.body.next_cursor ?? null };
        const listing = mine ? mergeHead(mine, head, want) : head;
        const before = new Set(mine?.items.map((t) => t.id) ?? []);
        const arrived = mine ? listing.items.filter((t) => !before.has(t.id)).length : 0;
        shown.current = { key, listing };
        setState({ listing, error: null, stale: null, loading: false, arrived });
      } catch (error) {
        if (controller.signal.aborted) return;
        failures += 1;
        setState((s) => (shown.current?.key === key ? { ...s, stale: error } : { ...s, error, loading: false }));
        return delayAfter(error, failures, LIVE_INTERVAL_MS);
      }
    };
    setState((s) => ({ ...s, error: null, loading: true, arrived: 0 }));
    const current = new Poller(run);
    poller.current = current;
    void current.now().then(() => !controller.signal.aborted && current.start());
    return () => {
      controller.abort();
      current.stop();
    };
  }, [key, attempt]);

  const loadMore = useCallback(async () => {
    const mine = shown.current?.key === key ? shown.current.listing : null;
    if (!mine?.cursor) return;
    const page = await fetchPage(query, mine.cursor);
    const listing = appendPage(mine, { items: page.data, cursor: page.next_cursor ?? null });
    shown.current = { key, listing };
    setState((s) => ({ ...s, listing, arrived: 0 }));
  }, [key]);

  const refresh = useCallback(() => poller.current?.now() ?? Promise.resolve(), []);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const listing = shown.current?.key === key ? state.listing : null;
  return { ...state, listing: listing ?? (state.loading ? state.listing : null), loadMore, refresh, reload };
}
