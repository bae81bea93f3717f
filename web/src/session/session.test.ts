import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api/client';
import { ApiProblem } from '../api/problem';
import { Session, sessionCookieSet, type Timers } from './session';

interface Call {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

type Handler = (call: Call) => Response | Promise<Response>;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type, ...headers } });
}

function problem(status: number, code: string): Response {
  return json(status, { type: `urn:helpdeskly:problem:${code}`, title: code, status, code });
}

let issued = 0;
function tokens(expiresIn = 900) {
  issued += 1;
  return {
    access_token: `access-${issued}`,
    refresh_token: `ignored-${issued}`,
    token_type: 'Bearer',
    expires_in: expiresIn,
    role: 'customer',
    user: { id: 'u1', email: 'ann@example.com', firstname: 'Ann', lastname: 'Lee' },
    tenant: { id: 't1', slug: 'acme', name: 'Acme' },
  };
}

/** A fake fetch that answers by "METHOD path" and records every call. */
function fakeServer(routes: Record<string, Handler | Handler[]>) {
  const calls: Call[] = [];
  const fetcher = async (url: string, init: RequestInit): Promise<Response> => {
    const headers = new Headers(init.headers);
    const call: Call = {
      method: init.method ?? 'GET',
      url,
      authorization: headers.get('Authorization'),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
      credentials: init.credentials,
    };
    calls.push(call);
    const key = `${call.method} ${url.split('?')[0]}`;
    const route = routes[key];
    if (!route) throw new TypeError(`no route for ${key}`);
    const handler = Array.isArray(route) ? route.shift() : route;
    if (!handler) throw new TypeError(`no more answers for ${key}`);
    return handler(call);
  };
  return { calls, fetcher };
}

function manualTimers() {
  const pending: { callback: () => void; ms: number; handle: number }[] = [];
  let next = 0;
  const timers: Timers = {
    set(callback, ms) {
      next += 1;
      pending.push({ callback, ms, handle: next });
      return next;
    },
    clear(handle) {
      const index = pending.findIndex((p) => p.handle === handle);
      if (index >= 0) pending.splice(index, 1);
    },
  };
  const fire = () => pending.shift()!.callback();
  return { pending, timers, fire };
}

function setup(routes: Record<string, Handler | Handler[]>, mayHoldSession = () => true) {
  const server = fakeServer(routes);
  const client = new ApiClient(server.fetcher);
  const clock = manualTimers();
  const session = new Session({ client, timers: clock.timers, mayHoldSession });
  return { ...server, client, session, clock };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('restoring a session on page load', () => {
  it('trades the cookie for an access token, sending no token of its own', async () => {
    const { session, calls } = setup({ 'POST /v1/auth/refresh': () => json(200, tokens()) });
    const state = await session.restore();
    expect(state.status).toBe('signed_in');
    expect(session.token()).toMatch(/^access-/);
    expect(calls).toEqual([
      { method: 'POST', url: '/v1/auth/refresh', authorization: null, body: {}, credentials: 'same-origin' },
    ]);
  });

  it('asks nothing when the browser holds no session (no request that could be refused)', async () => {
    const { session, calls } = setup({ 'POST /v1/auth/refresh': () => json(200, tokens()) }, () => false);
    expect((await session.restore()).status).toBe('signed_out');
    expect(calls).toEqual([]);
  });

  it('reads the session cookie among the others', () => {
    expect(sessionCookieSet('a=1; helpdeskly_session=1; b=2')).toBe(true);
    expect(sessionCookieSet('helpdeskly_session=')).toBe(false);
    expect(sessionCookieSet('')).toBe(false);
  });

  it('is signed out when the cookie is missing or refused', async () => {
    const { session } = setup({ 'POST /v1/auth/refresh': () => problem(401, 'unauthorized') });
    expect((await session.restore()).status).toBe('signed_out');
    expect(session.token()).toBeNull();
  });

  it('keeps the session through a refresh refused for a while (rate limited)', async () => {
    const { session, clock } = setup({
      'POST /v1/auth/refresh': [() => json(200, tokens()), () => problem(429, 'rate_limited')],
    });
    await session.restore();
    clock.fire();
    await flush();
    expect(session.current.status).toBe('signed_in');
    expect(clock.pending.map((p) => p.ms)).toEqual([10_000]);
  });

  it('reports an unreachable server instead of pretending to be signed out', async () => {
    const { session } = setup({
      'POST /v1/auth/refresh': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(session.restore()).rejects.toMatchObject({ code: 'network_error', status: 0 });
    expect(session.current.status).toBe('unknown');
  });
});

describe('refreshing', () => {
  it('runs one refresh at a time, shared by concurrent callers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { session, calls } = setup({
      'POST /v1/auth/refresh': async () => {
        await gate;
        return json(200, tokens());
      },
    });
    const all = Promise.all([session.refresh(), session.refresh(), session.refresh()]);
    release();
    expect(await all).toEqual([true, true, true]);
    expect(calls).toHaveLength(1);
  });

  it('renews the token at 80% of its lifetime', async () => {
    const { session, clock, calls } = setup({
      'POST /v1/auth/refresh': [() => json(200, tokens(900)), () => json(200, tokens(600))],
    });
    await session.restore();
    expect(clock.pending.map((p) => p.ms)).toEqual([720_000]);
    const first = session.token();
    clock.fire();
    await flush();
    expect(calls).toHaveLength(2);
    expect(session.token()).not.toBe(first);
    expect(clock.pending.map((p) => p.ms)).toEqual([480_000]);
  });

  it('tries a silent renewal again later when the network is down', async () => {
    const { session, clock } = setup({
      'POST /v1/auth/refresh': [
        () => json(200, tokens()),
        () => {
          throw new TypeError('Failed to fetch');
        },
      ],
    });
    await session.restore();
    clock.fire();
    await flush();
    expect(session.current.status).toBe('signed_in');
    expect(clock.pending.map((p) => p.ms)).toEqual([10_000]);
  });
});

describe('calls with an expired token', () => {
  it('refresh once and retry once with the new token', async () => {
    const { session, client, calls } = setup({
      'POST /v1/auth/refresh': [() => json(200, tokens()), () => json(200, tokens())],
      'GET /v1/me': [() => problem(401, 'token_expired'), () => json(200, { id: 'u1' })],
    });
    await session.restore();
    const stale = session.token();
    const me = await client.call('GET', '/v1/me');
    expect(me).toEqual({ id: 'u1' });
    const meCalls = calls.filter((c) => c.url === '/v1/me');
    expect(meCalls.map((c) => c.authorization)).toEqual([`Bearer ${stale}`, `Bearer ${session.token()}`]);
    expect(calls.filter((c) => c.url === '/v1/auth/refresh')).toHaveLength(2);
  });

  it('share a single refresh between concurrent calls', async () => {
    let valid = '';
    const issue = () => {
      const body = tokens();
      valid = `Bearer ${body.access_token}`;
      return json(200, body);
    };
    const { session, client, calls } = setup({
      'POST /v1/auth/refresh': issue,
      'GET /v1/me': (call) => (call.authorization === valid ? json(200, { ok: true }) : problem(401, 'token_expired')),
    });
    await session.restore();
    valid = 'expired everywhere';
    const results = await Promise.all([client.call('GET', '/v1/me'), client.call('GET', '/v1/me')]);
    expect(results).toEqual([{ ok: true }, { ok: true }]);
    expect(calls.filter((c) => c.url === '/v1/auth/refresh')).toHaveLength(2);
    expect(calls.filter((c) => c.url === '/v1/me').map((c) => c.authorization === valid)).toEqual([false, false, true, true]);
  });

  it('retry with the token another caller just obtained, without refreshing again', async () => {
    const { session, client, calls } = setup({
      'POST /v1/auth/refresh': [() => json(200, tokens()), () => json(200, tokens())],
      'GET /v1/me': [
        async () => {
          await session.refresh();
          return problem(401, 'token_expired');
        },
        () => json(200, { ok: true }),
      ],
    });
    await session.restore();
    expect(await client.call('GET', '/v1/me')).toEqual({ ok: true });
    expect(calls.filter((c) => c.url === '/v1/auth/refresh')).toHaveLength(2);
  });

  it('end the session when the refresh is refused, and fail with the original problem', async () => {
    const { session, client } = setup({
      'POST /v1/auth/refresh': [() => json(200, tokens()), () => problem(401, 'unauthorized')],
      'GET /v1/tickets': () => problem(401, 'token_expired'),
    });
    await session.restore();
    await expect(client.call('GET', '/v1/tickets')).rejects.toMatchObject({ code: 'token_expired' });
    expect(session.current.status).toBe('signed_out');
  });

  it('are retried once only', async () => {
    const { session, client, calls } = setup({
      'POST /v1/auth/refresh': () => json(200, tokens()),
      'GET /v1/tickets': () => problem(401, 'token_expired'),
    });
    await session.restore();
    await expect(client.call('GET', '/v1/tickets')).rejects.toBeInstanceOf(ApiProblem);
    expect(calls.filter((c) => c.url === '/v1/tickets')).toHaveLength(2);
  });
});

describe('signing in and out', () => {
  it('signs in with a password, ignoring the refresh token of the body', async () => {
    const { session, calls } = setup({ 'POST /v1/auth/login': () => json(200, tokens()) });
    expect(await session.login('acme', 'ann@example.com', 'correct horse battery')).toEqual({ kind: 'signed_in' });
    expect(calls[0]!.body).toEqual({ tenant: 'acme', email: 'ann@example.com', password: 'correct horse battery' });
    expect(calls[0]!.authorization).toBeNull();
    expect(JSON.stringify(session.current)).not.toContain('ignored');
  });

  it('signs a platform operator in without naming a tenant', async () => {
    const operator = { ...tokens(), role: 'platform_admin', tenant: null };
    const { session, calls } = setup({ 'POST /v1/auth/login': () => json(200, operator) });
    expect(await session.login(null, 'ops@example.org', 'correct horse battery')).toEqual({ kind: 'signed_in' });
    expect(calls[0]!.body).toEqual({ email: 'ops@example.org', password: 'correct horse battery' });
    expect(session.current).toMatchObject({ status: 'signed_in', role: 'platform_admin', tenant: null });
  });

  it('asks for a second factor, then trades the challenge and a code for tokens', async () => {
    const { session, calls } = setup({
      'POST /v1/auth/login': () => json(200, { mfa_required: true, mfa_token: 'mfa-1', expires_in: 300 }),
      'POST /v1/auth/mfa/verify': () => json(200, tokens()),
    });
    const result = await session.login('acme', 'ann@example.com', 'pw');
    expect(result).toEqual({ kind: 'mfa', challenge: { mfa_required: true, mfa_token: 'mfa-1', expires_in: 300 } });
    expect(session.current.status).toBe('unknown');
    await session.verify('mfa-1', { recovery_code: 'abcd-efgh' });
    expect(calls[1]!.body).toEqual({ mfa_token: 'mfa-1', recovery_code: 'abcd-efgh' });
    expect(session.current.status).toBe('signed_in');
  });

  it('signs in with the token a sign-up answered, sending no token of its own', async () => {
    const { session, calls } = setup({ 'POST /v1/auth/sign-in-token': () => json(200, tokens()) });
    expect(await session.signInWithToken('acme', 'once-1')).toEqual({ kind: 'signed_in' });
    expect(calls).toEqual([{ method: 'POST', url: '/v1/auth/sign-in-token', authorization: null, body: { tenant: 'acme', token: 'once-1' }, credentials: 'same-origin' }]);
    expect(session.current.status).toBe('signed_in');
    expect(session.token()).toMatch(/^access-/);
  });

  it('stays signed out when the token is refused, the refusal going to the caller', async () => {
    const { session } = setup({ 'POST /v1/auth/sign-in-token': () => problem(400, 'invalid_token') });
    await expect(session.signInWithToken('acme', 'used')).rejects.toMatchObject({ status: 400, code: 'invalid_token' });
    expect(session.current.status).toBe('unknown');
    expect(session.token()).toBeNull();
  });

  it('revokes the session with the bearer token, then forgets it', async () => {
    const { session, calls, clock } = setup({
      'POST /v1/auth/refresh': () => json(200, tokens()),
      'POST /v1/auth/logout': () => new Response(null, { status: 204 }),
    });
    await session.restore();
    const token = session.token();
    await session.logout();
    expect(calls[1]).toMatchObject({ url: '/v1/auth/logout', authorization: `Bearer ${token}`, body: {} });
    expect(session.current.status).toBe('signed_out');
    expect(session.token()).toBeNull();
    expect(clock.pending).toHaveLength(0);
  });

  it('is signed out even when the server cannot be told', async () => {
    const { session } = setup({
      'POST /v1/auth/refresh': () => json(200, tokens()),
      'POST /v1/auth/logout': () => problem(503, 'dependency_unavailable'),
    });
    await session.restore();
    await session.logout();
    expect(session.current.status).toBe('signed_out');
  });

  it('ends when a call with its token is refused as unauthorized (revoked elsewhere)', async () => {
    const { session, client } = setup({
      'POST /v1/auth/refresh': () => json(200, tokens()),
      'GET /v1/me': () => problem(401, 'unauthorized'),
    });
    await session.restore();
    await expect(client.call('GET', '/v1/me')).rejects.toMatchObject({ code: 'unauthorized' });
    expect(session.current.status).toBe('signed_out');
  });
});
