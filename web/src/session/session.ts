/**
 * The signed-in session. The access token lives in this module's memory only; the refresh
 * token is an HttpOnly cookie the app never sees, so a reload restores the session with one
 * refresh call. One refresh runs at a time, shared by every caller, and a timer renews the
 * access token before it expires.
 */

import type { ApiClient, AuthHooks } from '../api/client';
import { ApiProblem } from '../api/problem';
import type { MfaChallenge, Role, TenantRef, TokenResponse, UserProfile } from '../api/schemas';

export type SessionState =
  | { status: 'unknown' }
  | { status: 'signed_out' }
  | { status: 'signed_in'; user: UserProfile; role: Role; tenant: TenantRef | null };

export type LoginResult = { kind: 'signed_in' } | { kind: 'mfa'; challenge: MfaChallenge };
export type SecondFactor = { code: string } | { recovery_code: string };

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface SessionOptions {
  client: ApiClient;
  timers?: Timers;
  /** Serialises refreshes across tabs: two tabs presenting the same cookie at once would look
   * like a stolen token to the server, which then ends the session. */
  lock?: <T>(task: () => Promise<T>) => Promise<T>;
  /** The share of the token's lifetime after which it is renewed. */
  renewAt?: number;
  /** A silent renewal that failed for lack of network is tried again after this long. */
  retryMs?: number;
  /** Whether the browser may hold a session to restore: the server sets a readable
   * `helpdeskly_session` cookie beside the refresh cookie (which scripts never see). */
  mayHoldSession?: () => boolean;
}

const REFRESH_TIMEOUT_MS = 15_000;

/** The readable companion of the refresh cookie, set and cleared with it. */
export function sessionCookieSet(cookies: string = typeof document !== 'undefined' ? document.cookie : ''): boolean {
  return cookies.split(';').some((cookie) => cookie.trim() === 'helpdeskly_session=1');
}

const defaultTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function webLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  // The lock resolves to the task's own promise, which the lock manager awaits.
  return locks ? (locks.request('helpdeskly-refresh', task) as unknown as Promise<T>) : task();
}

export class Session implements AuthHooks {
  private accessToken: string | null = null;
  private state: SessionState = { status: 'unknown' };
  private renewal: unknown = null;
  private inflight: Promise<boolean> | null = null;
  private readonly listeners = new Set<(state: SessionState) => void>();
  private readonly client: ApiClient;
  private readonly timers: Timers;
  private readonly lock: <T>(task: () => Promise<T>) => Promise<T>;
  private readonly renewAt: number;
  private readonly retryMs: number;
  private readonly mayHoldSession: () => boolean;

  constructor(options: SessionOptions) {
    this.client = options.client;
    this.timers = options.timers ?? defaultTimers;
    this.lock = options.lock ?? ((task) => task());
    this.renewAt = options.renewAt ?? 0.8;
    this.retryMs = options.retryMs ?? 10_000;
    this.mayHoldSession = options.mayHoldSession ?? (() => sessionCookieSet());
    this.client.useAuth(this);
  }

  get current(): SessionState {
    return this.state;
  }

  token(): string | null {
    return this.accessToken;
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** On page load: the cookie, if any, still holds a session. Without its readable companion
   * there is none to restore, and the server is not asked (its 401 would be logged). */
  async restore(): Promise<SessionState> {
    if (!this.mayHoldSession()) {
      this.set({ status: 'signed_out' });
      return this.state;
    }
    try {
      await this.refresh();
    } catch (problem) {
      // The server could not be asked: nothing is known, and the caller says so.
      if (this.state.status === 'unknown') throw problem;
    }
    return this.state;
  }

  refresh(): Promise<boolean> {
    this.inflight ??= this.lock(() => this.renew()).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Signs in to `tenant` (its slug), or to the platform itself (`null`: platform operators). */
  async login(tenant: string | null, email: string, password: string): Promise<LoginResult> {
    const body = tenant === null ? { email, password } : { tenant, email, password };
    const answer = await this.client.call('POST', '/v1/auth/login', { body, auth: false });
    if ('mfa_required' in answer) return { kind: 'mfa', challenge: answer };
    this.accept(answer);
    return { kind: 'signed_in' };
  }

  async verify(mfaToken: string, factor: SecondFactor): Promise<void> {
    const tokens = await this.client.call('POST', '/v1/auth/mfa/verify', {
      body: { mfa_token: mfaToken, ...factor },
      auth: false,
    });
    this.accept(tokens);
  }

  /** Trades the one-use token a sign-up answered for the owner's session (and its cookie), or
   * for a second-factor challenge, as a password would. */
  async signInWithToken(tenant: string, token: string): Promise<LoginResult> {
    const answer = await this.client.call('POST', '/v1/auth/sign-in-token', { body: { tenant, token }, auth: false });
    if ('mfa_required' in answer) return { kind: 'mfa', challenge: answer };
    this.accept(answer);
    return { kind: 'signed_in' };
  }

  /** Revokes the session on the server (which also clears the cookie), then forgets it. */
  async logout(): Promise<void> {
    try {
      if (this.accessToken) await this.client.call('POST', '/v1/auth/logout', { body: {} });
    } catch {
      // Signed out here whatever the server said: the user asked to leave.
    } finally {
      this.end();
    }
  }

  /** The organisation was renamed here: the header names it at once, as the next refresh would. */
  renamed(name: string): void {
    const state = this.state;
    if (state.status === 'signed_in' && state.tenant) this.set({ ...state, tenant: { ...state.tenant, name } });
  }

  ended(): void {
    this.end();
  }

  private async renew(): Promise<boolean> {
    try {
      // Bounded, since other tabs wait behind this refresh's lock.
      const signal = AbortSignal.timeout(REFRESH_TIMEOUT_MS);
      const tokens = await this.client.call('POST', '/v1/auth/refresh', { body: {}, auth: false, signal });
      this.accept(tokens);
      return true;
    } catch (problem) {
      if (problem instanceof ApiProblem && !problem.transient) {
        this.end();
        return false;
      }
      throw problem;
    }
  }

  private accept(tokens: TokenResponse): void {
    this.accessToken = tokens.access_token;
    this.schedule(tokens.expires_in * this.renewAt * 1000);
    this.set({ status: 'signed_in', user: tokens.user, role: tokens.role, tenant: tokens.tenant ?? null });
  }

  private schedule(ms: number): void {
    if (this.renewal !== null) this.timers.clear(this.renewal);
    this.renewal = this.timers.set(() => {
      this.renewal = null;
      this.refresh().catch(() => {
        if (this.accessToken) this.schedule(this.retryMs);
      });
    }, Math.max(ms, 1000));
  }

  private end(): void {
    if (this.renewal !== null) this.timers.clear(this.renewal);
    this.renewal = null;
    this.accessToken = null;
    this.set({ status: 'signed_out' });
  }

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}
