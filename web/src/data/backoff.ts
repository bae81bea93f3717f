//! How long a poller waits after a failure: what the server asked (Retry-After on 429 or 503),
//! else longer after each failure in a row, up to a minute; nothing special after a success.

import { ApiProblem } from '../api/problem';

const MAX_MS = 60_000;

export function delayAfter(error: unknown, failures: number, intervalMs: number, now: Date = new Date()): number {
  if (error instanceof ApiProblem && error.retryAt) return Math.max(intervalMs, error.retryAt.getTime() - now.getTime());
  return Math.min(MAX_MS, intervalMs * 2 ** Math.max(0, failures - 1));
}
