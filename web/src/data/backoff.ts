/**
 * How long a poller waits after a failure: what the server asked (Retry-After on 429 or 503),
 * else longer after each failure in a row, up to a minute; nothing special after a success. A
 * first load tries again by itself a few times after a failure that may pass.
 */

import { ApiProblem } from '../api/problem';

const MAX_MS = 60_000;

export function delayAfter(error: unknown, failures: number, intervalMs: number, now: Date = new Date()): number {
  if (error instanceof ApiProblem && error.retryAt) return Math.max(intervalMs, error.retryAt.getTime() - now.getTime());
  return Math.min(MAX_MS, intervalMs * 2 ** Math.max(0, failures - 1));
}

/** A first load tries again this many times after a transient failure before it shows one. */
export const FIRST_LOAD_RETRIES = 3;

/** How long a first load waits before trying again after `failures` failures in a row (a second
 * at first, or what the server asked), or `null` when the failure is to be shown: one that would
 * come again, or the last of the retries. */
export function firstLoadRetry(error: unknown, failures: number, now: Date = new Date()): number | null {
  if (!(error instanceof ApiProblem) || !error.transient || failures > FIRST_LOAD_RETRIES) return null;
  return delayAfter(error, failures, 1000, now);
}
