//! Data kept current by polling with the last ETag: an answer that did not change (304) leaves
//! the state untouched, so nothing re-renders and nothing the user is doing is disturbed.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Revalidated } from '../../api';
import { delayAfter } from './backoff';
import { LIVE_INTERVAL_MS, Poller } from './poller';

export interface Live<T> {
  data: T | undefined;
  /** The first load's failure (nothing to show). */
  error: unknown;
  /** The last poll's failure while older data stays on screen. */
  stale: unknown;
  loading: boolean;
  reload: () => void;
  /** Polls now, after a change made here, and resolves once the answer is in. */
  refresh: () => Promise<void>;
  setData: (update: (current: T | undefined) => T | undefined) => void;
}

type Fetcher<T> = (etag: string | null, signal: AbortSignal) => Promise<Revalidated<T>>;

/** `key` names what is fetched: a new key starts over (no ETag, loading state). */
export function useLive<T>(key: string, fetcher: Fetcher<T>, options: { live?: boolean } = {}): Live<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; stale: unknown; loading: boolean }>({
    data: undefined,
    error: null,
    stale: null,
    loading: true,
  });
  const [attempt, setAttempt] = useState(0);
  const latest = useRef(fetcher);
  latest.current = fetcher;
  const poller = useRef<Poller | null>(null);
  const live = options.live !== false;

  useEffect(() => {
    const controller = new AbortController();
    let etag: string | null = null;
    let loaded = false;
    let failures = 0;
    const run = async (): Promise<number | void> => {
      try {
        const answer = await latest.current(etag, controller.signal);
        if (controller.signal.aborted) return;
        failures = 0;
        if (answer.changed) {
          etag = answer.etag;
          loaded = true;
          setState({ data: answer.body, error: null, stale: null, loading: false });
        } else {
          // Unchanged: only a past failure needs clearing, else no render at all.
          setState((s) => (s.stale ? { ...s, stale: null } : s));
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        failures += 1;
        setState((s) => (loaded ? { ...s, stale: error } : { ...s, error, loading: false }));
        return delayAfter(error, failures, LIVE_INTERVAL_MS);
      }
    };
    setState((s) => ({ ...s, error: null, loading: true }));
    const current = new Poller(run);
    poller.current = current;
    void current.now().then(() => {
      if (live && !controller.signal.aborted) current.start();
    });
    return () => {
      controller.abort();
      current.stop();
      if (poller.current === current) poller.current = null;
    };
  }, [key, attempt, live]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const refresh = useCallback(() => poller.current?.now() ?? Promise.resolve(), []);
  const setData = useCallback((update: (current: T | undefined) => T | undefined) => setState((s) => ({ ...s, data: update(s.data) })), []);
  return { ...state, reload, refresh, setData };
}
