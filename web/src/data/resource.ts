/**
 * The one family of loading hooks. `useResource` loads once per key; `useLive` keeps what it
 * loaded current: it loads again on the live stream's frames it `follows` (and on `resync`, or,
 * when the stream first comes up, if it loaded before), and polls with the last ETag while the
 * stream is down (a 304 leaves the state untouched, so nothing re-renders and nothing the user is
 * doing is disturbed); `usePaged` (`paged.ts`) builds lists read a page at a time on top of them.
 * A first load tries again by itself a few times after a failure that may pass
 * (`firstLoadRetry`). All share one state: the data, the first load's failure, a later failure
 * while older data stays on screen, and the ways to load again.
 */

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Revalidated } from '../api';
import { delayAfter, firstLoadRetry } from './backoff';
import { SAFETY_INTERVAL_MS, liveStream, type LiveEvent } from './live';
import { LIVE_INTERVAL_MS, Poller } from './poller';

export interface Resource<T> {
  data: T | undefined;
  /** The first load's failure (nothing of this key to show). */
  error: unknown;
  /** A later load's failure while older data stays on screen. */
  stale: unknown;
  loading: boolean;
  /** Starts over: loading state, no ETag. */
  reload: () => void;
  /** Loads now, keeping what is shown (after a change made here), and resolves once done. */
  refresh: () => Promise<void>;
  setData: (update: (current: T | undefined) => T | undefined) => void;
}

/** Fetches with the ETag of the answer held (`null` at first). */
export type Fetcher<T> = (etag: string | null, signal: AbortSignal) => Promise<Revalidated<T>>;

/** A plain load as a fetcher that always brings a new answer. */
export function always<T>(load: (signal: AbortSignal) => Promise<T>): Fetcher<T> {
  return async (_etag, signal) => ({ changed: true, body: await load(signal), etag: null });
}

/** `key` names what is loaded: a new key starts over. */
export function useResource<T>(key: string, load: (signal: AbortSignal) => Promise<T>): Resource<T> {
  return useFetched(key, always(load), false);
}

export interface LiveOptions {
  /** `false`: loaded once like `useResource` (and on the frames it follows). */
  live?: boolean;
  /** How often it is polled while the stream is down (4 s by default). */
  intervalMs?: number;
  /** The live stream's frames that may change it: each loads it again (so does `resync`). */
  follows?: (event: LiveEvent) => boolean;
}

/** Loaded again on the frames it follows; polled every few seconds (`intervalMs`) while the tab is
 * visible and the stream down, and every couple of minutes while it is up (a lost frame). */
export function useLive<T>(key: string, fetcher: Fetcher<T>, options: LiveOptions = {}): Resource<T> {
  return useFetched(key, fetcher, options.live !== false, options.intervalMs ?? LIVE_INTERVAL_MS, options.follows);
}

interface State<T> {
  /** The key `data` belongs to. */
  key: string;
  data: T | undefined;
  error: unknown;
  stale: unknown;
  loading: boolean;
}

function useFetched<T>(
  key: string,
  fetcher: Fetcher<T>,
  live: boolean,
  intervalMs: number = LIVE_INTERVAL_MS,
  follows?: (event: LiveEvent) => boolean,
): Resource<T> {
  const [state, setState] = useState<State<T>>({ key, data: undefined, error: null, stale: null, loading: true });
  const [attempt, setAttempt] = useState(0);
  const latest = useRef(fetcher);
  latest.current = fetcher;
  const following = useRef(follows);
  following.current = follows;
  const poller = useRef<Poller | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    let etag: string | null = null;
    let loaded = false;
    let failures = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    // The last load began with no live stream to tell of a change after it.
    let blind = true;
    const run = async (): Promise<number | void> => {
      blind = liveStream.mode !== 'live';
      try {
        const answer = await latest.current(etag, controller.signal);
        if (controller.signal.aborted) return;
        failures = 0;
        if (answer.changed) {
          etag = answer.etag;
          loaded = true;
          setState({ key, data: answer.body, error: null, stale: null, loading: false });
        } else {
          // Unchanged: only a past failure needs clearing, else no render at all.
          setState((s) => (s.stale ? { ...s, stale: null } : s));
        }
        // While the stream is up, it says when to load again; a slow poll covers a lost frame.
        return live && liveStream.mode === 'live' ? SAFETY_INTERVAL_MS : undefined;
      } catch (error) {
        if (controller.signal.aborted) return;
        failures += 1;
        // A first load that may pass tries again by itself before it shows its failure (a
        // sidebar's list has no button to try again).
        const retry = live || loaded ? null : firstLoadRetry(error, failures);
        if (retry !== null) {
          retryTimer = setTimeout(() => void current.now(), retry);
          return;
        }
        // What another key loaded is not this key's data.
        setState((s) => (loaded ? { ...s, stale: error } : { ...s, data: s.key === key ? s.data : undefined, error, loading: false }));
        return live ? delayAfter(error, failures, intervalMs) : undefined;
      }
    };
    // The data shown stays while the next key loads (`aria-busy`), until it answers.
    setState((s) => ({ ...s, error: null, loading: true }));
    const current = new Poller(run, intervalMs);
    poller.current = current;
    void current.now().then(() => {
      if (live && !controller.signal.aborted) current.start();
    });
    const unfollow = liveStream.subscribe((event) => {
      const wanted =
        event.type === 'resync'
          ? (live || following.current !== undefined) && (!event.first || blind)
          : following.current?.(event) === true;
      if (wanted) current.nudge();
    });
    // The stream went down: what it would have said is read now, and polling resumes.
    const unwatch = liveStream.onMode((mode) => {
      if (live && mode !== 'live') current.nudge();
    });
    return () => {
      unfollow();
      unwatch();
      controller.abort();
      clearTimeout(retryTimer);
      current.stop();
      if (poller.current === current) poller.current = null;
    };
  }, [key, attempt, live, intervalMs]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const refresh = useCallback(() => poller.current?.now() ?? Promise.resolve(), []);
  const setData = useCallback((update: (current: T | undefined) => T | undefined) => setState((s) => ({ ...s, data: update(s.data) })), []);
  return { data: state.data, error: state.error, stale: state.stale, loading: state.loading, reload, refresh, setData };
}
