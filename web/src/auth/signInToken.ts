/**
 * Signing the owner in right after sign-up. The sign-up's answer carries a one-use token
 * (`sign_in_token`, good for 15 minutes); the control host takes the browser to the new
 * organisation's host with it in the fragment (`#sign_in_token=...`), which the browser sends to
 * no server and which the tenant host takes out of the address as soon as it is read. There,
 * `POST /v1/auth/sign-in-token` trades it for a session. The organisation may not be quite ready
 * yet (503 `tenant_provisioning`: the token stays good), so that answer is asked again shortly;
 * a refusal (used, expired, forged: 400 `invalid_token`) leaves the sign-in form, with a notice.
 */

import { ApiProblem } from '../api/problem';
import type { LoginResult } from '../session';

/** The fragment's name for the token. */
export const SIGN_IN_TOKEN = 'sign_in_token';

/** The tenant's sign-in address carrying the token in its fragment. */
export function withSignInToken(loginUrl: string, token: string): string {
  return `${loginUrl.replace(/#.*$/, '')}#${SIGN_IN_TOKEN}=${encodeURIComponent(token)}`;
}

/** What the token did (signed in, or a second factor asked for, as a password would); `refused`:
 * the token is no good; `unavailable`: the organisation could not be reached in time (the token
 * may still be good, but the form is the way on). */
export type TokenSignIn = LoginResult | { kind: 'refused' } | { kind: 'unavailable' };

export interface TokenSignInOptions {
  /** Trades the token for a session (the session's `signInWithToken`). */
  signIn: () => Promise<LoginResult>;
  signal?: AbortSignal;
  /** The wait before asking again while the organisation is being prepared or unreachable. */
  retryMs?: number;
  /** How long to keep asking. */
  timeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const RETRY_MS = 1500;
export const TIMEOUT_MS = 60_000;

export async function signInWithToken(options: TokenSignInOptions): Promise<TokenSignIn> {
  const { signIn, signal, retryMs = RETRY_MS, timeoutMs = TIMEOUT_MS } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? wait;
  const deadline = now() + timeoutMs;
  for (;;) {
    try {
      return await signIn();
    } catch (problem) {
      if (!(problem instanceof ApiProblem) || !worthRetrying(problem)) return { kind: 'refused' };
      if (signal?.aborted || now() + retryMs > deadline) return { kind: 'unavailable' };
      const asked = problem.retryAt ? problem.retryAt.getTime() - now() : 0;
      await sleep(Math.min(Math.max(retryMs, asked), Math.max(0, deadline - now())), signal);
      if (signal?.aborted) return { kind: 'unavailable' };
    }
  }
}

/** Not yet ready (503), or not reached (the network, a gateway, too many requests). */
function worthRetrying(problem: ApiProblem): boolean {
  return problem.status === 0 || problem.status === 429 || problem.status >= 500;
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
