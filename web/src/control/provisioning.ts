/**
 * Waiting for a new organisation's database: poll its status soon after the sign-up (a quarter
 * of a second, then half: a database is usually ready within a second), then about every second
 * until it is active, gives up, or two minutes pass. Network hiccups on the way are not failures.
 */

import { ApiProblem } from '../api/problem';
import type { TenantStatusView } from '../api/schemas';

export type PollResult =
  | { kind: 'active'; view: TenantStatusView }
  | { kind: 'failed'; view: TenantStatusView }
  | { kind: 'not_found' }
  | { kind: 'timeout' }
  | { kind: 'cancelled' };

export interface PollOptions {
  fetchStatus: (signal: AbortSignal) => Promise<TenantStatusView>;
  onStatus?: (view: TenantStatusView) => void;
  signal: AbortSignal;
  intervalMs?: number;
  timeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const POLL_TIMEOUT_MS = 120_000;
/** The first wait; each wait after it is twice the one before, up to the interval. */
const FIRST_WAIT_MS = 250;

export async function pollUntilActive(options: PollOptions): Promise<PollResult> {
  const { fetchStatus, onStatus, signal, intervalMs = 1000, timeoutMs = POLL_TIMEOUT_MS } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? wait;
  const deadline = now() + timeoutMs;
  let waitMs = Math.min(FIRST_WAIT_MS, intervalMs);
  while (!signal.aborted) {
    try {
      const view = await fetchStatus(signal);
      onStatus?.(view);
      if (view.status === 'active') return { kind: 'active', view };
      if (view.status !== 'provisioning') return { kind: 'failed', view };
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof ApiProblem && error.status === 404) return { kind: 'not_found' };
    }
    if (now() + waitMs > deadline) return { kind: 'timeout' };
    await sleep(waitMs, signal);
    waitMs = Math.min(waitMs * 2, intervalMs);
  }
  return { kind: 'cancelled' };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
