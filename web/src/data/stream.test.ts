import { describe, expect, it } from 'vitest';
import { CONNECT_TIMEOUT_MS, FIRST_RETRY_MS, HEALTHY_MS, LiveStream, PARK_AFTER_MS, QUIET_LIMIT_MS, retryAfterMs, toEvent, type LiveEvent, type LiveMode } from './stream';

/** A response whose body the test writes to, chunk by chunk, and ends. */
function sseResponse(status = 200, type = 'text/event-stream') {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status, headers: { 'Content-Type': type } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    fail: () => controller.error(new TypeError('network error')),
  };
}

function problem(status: number, code: string, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ status, code }), { status, headers: { 'Content-Type': 'application/problem+json', ...headers } });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
async function settle() {
  for (let i = 0; i < 10; i++) await tick();
}

function harness() {
  const timers = new Map<number, { callback: () => void; ms: number }>();
  let next = 1;
  let clock = 0;
  const requests: { headers: Record<string, string>; signal: AbortSignal }[] = [];
  const answers: ((signal: AbortSignal) => Promise<Response>)[] = [];
  let token = 'token-1';
  let refreshes = 0;
  let refreshAnswer = true;
  const stream = new LiveStream({
    fetch: (_url, init) => {
      const signal = init.signal as AbortSignal;
      requests.push({ headers: init.headers as Record<string, string>, signal });
      const answer = answers.shift();
      // Unanswered, until aborted (as fetch does).
      if (!answer) return new Promise<Response>((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
      return answer(signal);
    },
    auth: {
      token: () => token,
      refresh: async () => {
        refreshes += 1;
        if (refreshAnswer) token = `token-${refreshes + 1}`;
        return refreshAnswer;
      },
    },
    timers: {
      set: (callback, ms) => {
        timers.set(next, { callback, ms });
        return next++;
      },
      clear: (handle) => void timers.delete(handle as number),
    },
    random: () => 1,
    now: () => clock,
  });
  const events: LiveEvent[] = [];
  const modes: LiveMode[] = [];
  stream.subscribe((e) => events.push(e));
  stream.onMode((m) => modes.push(m));
  return {
    stream,
    requests,
    events,
    modes,
    /** Answers the next request with this. */
    answer: (response: Response | Error) =>
      answers.push(async () => {
        if (response instanceof Error) throw response;
        return response;
      }),
    /** Answers the next request with a stream the test writes to. */
    open: () => {
      const sse = sseResponse();
      answers.push(async (signal) => {
        // As fetch does: aborting the request fails the body being read.
        signal.addEventListener('abort', () => sse.fail());
        return sse.response;
      });
      return sse;
    },
    advance: (ms: number) => (clock += ms),
    /** The pending timer of this delay (the retry, the quiet watch, the connect deadline). */
    delays: () => [...timers.values()].map((t) => t.ms),
    fire: async (ms: number) => {
      const found = [...timers.entries()].find(([, t]) => t.ms === ms);
      if (!found) throw new Error(`no timer of ${ms} ms among ${[...timers.values()].map((t) => t.ms)}`);
      timers.delete(found[0]);
      clock += ms;
      found[1].callback();
      await settle();
    },
    /** Fires the reconnection timer, whatever its delay (neither the quiet watch nor a deadline). */
    retry: async () => {
      const found = [...timers.entries()].find(([, t]) => t.ms !== QUIET_LIMIT_MS && t.ms !== CONNECT_TIMEOUT_MS);
      if (!found) throw new Error('no retry pending');
      timers.delete(found[0]);
      clock += found[1].ms;
      found[1].callback();
      await settle();
      return found[1].ms;
    },
    failRefresh: () => (refreshAnswer = false),
    setToken: (value: string) => (token = value),
    refreshes: () => refreshes,
  };
}

describe('toEvent', () => {
  it('reads the four kinds of frame and resync, and ignores the rest', () => {
    expect(toEvent({ event: 'message.added', data: '{"ticket_id": 12, "message_id": 34}', id: '7' })).toEqual({
      type: 'message.added',
      id: '7',
      ticketId: 12,
      messageId: 34,
      kind: null,
    });
    expect(toEvent({ event: 'notification', data: '{"ticket_id": 12, "kind": "message_added"}', id: '8' })).toMatchObject({ kind: 'message_added', ticketId: 12 });
    expect(toEvent({ event: 'resync', data: '{}', id: '' })).toEqual({ type: 'resync' });
    expect(toEvent({ event: 'ticket.deleted', data: '{"ticket_id": 1}', id: '' })).toBeNull();
    expect(toEvent({ event: 'ticket.updated', data: 'not json', id: '' })).toBeNull();
    expect(toEvent({ event: 'message', data: '{}', id: '' })).toBeNull();
  });

  it('reads presence frames, with a default lifetime, and ignores one naming nobody', () => {
    const data = '{"ticket_id": 12, "user_id": "u-2", "name": "Inès Moreau", "typing": true, "left": false, "expires_in": 30}';
    expect(toEvent({ event: 'presence', data, id: '' })).toEqual({
      type: 'presence',
      ticketId: 12,
      userId: 'u-2',
      name: 'Inès Moreau',
      typing: true,
      left: false,
      expiresInSeconds: 30,
    });
    expect(toEvent({ event: 'presence', data: '{"ticket_id": 12, "user_id": "u-2", "left": true}', id: '' })).toMatchObject({ typing: false, left: true, name: '', expiresInSeconds: 30 });
    expect(toEvent({ event: 'presence', data: '{"ticket_id": 12}', id: '' })).toBeNull();
    expect(toEvent({ event: 'presence', data: '{"user_id": "u-2"}', id: '' })).toBeNull();
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and dates', () => {
    expect(retryAfterMs('30')).toBe(30_000);
    expect(retryAfterMs(new Date(61_000).toUTCString(), 1000)).toBe(60_000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
});

describe('LiveStream', () => {
  it('connects with the bearer token, hands on frames, and goes live', async () => {
    const h = harness();
    const sse = h.open();
    h.stream.start();
    await settle();
    expect(h.requests[0]!.headers).toEqual({ Accept: 'text/event-stream', Authorization: 'Bearer token-1' });
    expect(h.stream.mode).toBe('live');
    sse.write('retry: 3000\n\nid: 5\nevent: ticket.created\ndata: {"ticket_id": 12}\n\n: keep-alive\n\nid: 6\nevent: message.add');
    sse.write('ed\ndata: {"ticket_id": 12, "message_id": 34}\n\n');
    await settle();
    expect(h.events).toEqual([
      // Up for the first time: what loaded before it is read again.
      { type: 'resync', first: true },
      { type: 'ticket.created', id: '5', ticketId: 12, messageId: null, kind: null },
      { type: 'message.added', id: '6', ticketId: 12, messageId: 34, kind: null },
    ]);
    expect(h.stream.lastEventId).toBe('6');
    h.stream.stop();
  });

  it('hands on presence frames, which have no id, without moving Last-Event-ID', async () => {
    const h = harness();
    const first = h.open();
    h.stream.start();
    await settle();
    first.write('id: 41\nevent: ticket.updated\ndata: {"ticket_id": 3}\n\n');
    first.write('event: presence\ndata: {"ticket_id": 3, "user_id": "u-2", "name": "Inès", "typing": false, "left": false, "expires_in": 30}\n\n');
    await settle();
    expect(h.events.at(-1)).toMatchObject({ type: 'presence', ticketId: 3, userId: 'u-2' });
    expect(h.stream.lastEventId).toBe('41');
    h.advance(HEALTHY_MS);
    first.end();
    await settle();
    h.open();
    await h.retry();
    expect(h.requests[1]!.headers['Last-Event-ID']).toBe('41');
    h.stream.stop();
  });

  it('opens the stream again with a fresh token and Last-Event-ID when the server closes it', async () => {
    const h = harness();
    const first = h.open();
    h.stream.start();
    await settle();
    first.write('retry: 2000\n\nid: 41\nevent: ticket.updated\ndata: {"ticket_id": 3}\n\n');
    await settle();
    h.advance(HEALTHY_MS);
    first.end();
    await settle();
    const second = h.open();
    expect(await h.retry()).toBe(2000);
    expect(h.requests[1]!.headers['Last-Event-ID']).toBe('41');
    expect(h.modes).toEqual(['live']);
    second.write('event: resync\ndata: {}\n\n');
    await settle();
    expect(h.events.at(-1)).toEqual({ type: 'resync' });
    h.stream.stop();
  });

  it('refreshes an expired token and connects again at once', async () => {
    const h = harness();
    h.answer(problem(401, 'token_expired'));
    h.open();
    h.stream.start();
    await settle();
    expect(h.refreshes()).toBe(1);
    expect(await h.retry()).toBe(0);
    expect(h.requests[1]!.headers.Authorization).toBe('Bearer token-2');
    expect(h.stream.mode).toBe('live');
    h.stream.stop();
  });

  it('stops trying when the session is over', async () => {
    const h = harness();
    h.failRefresh();
    h.answer(problem(401, 'session_revoked'));
    h.stream.start();
    await settle();
    expect(h.delays()).toEqual([]);
    expect(h.requests.length).toBe(1);
  });

  it('falls back to polling after a few failures, keeps trying, and resyncs when back', async () => {
    const h = harness();
    h.answer(new TypeError('offline'));
    h.answer(new TypeError('offline'));
    h.answer(problem(502, 'bad_gateway'));
    h.stream.start();
    await settle();
    expect(h.stream.mode).toBe('connecting');
    expect(await h.retry()).toBe(FIRST_RETRY_MS);
    expect(h.stream.mode).toBe('connecting');
    expect(await h.retry()).toBe(2 * FIRST_RETRY_MS);
    expect(h.stream.mode).toBe('polling');
    const back = h.open();
    expect(await h.retry()).toBe(4 * FIRST_RETRY_MS);
    expect(h.stream.mode).toBe('live');
    // The first time up: what loaded before it is read again.
    expect(h.events).toEqual([{ type: 'resync', first: true }]);
    // Cut, then cut again while trying: polling, and a resync once back.
    back.fail();
    await settle();
    h.answer(new TypeError('offline'));
    h.answer(new TypeError('offline'));
    await h.retry();
    await h.retry();
    expect(h.stream.mode).toBe('polling');
    h.open();
    await h.retry();
    expect(h.stream.mode).toBe('live');
    expect(h.events).toEqual([{ type: 'resync', first: true }, { type: 'resync' }]);
    expect(h.modes).toEqual(['polling', 'live', 'polling', 'live']);
    h.stream.stop();
  });

  it('polls at once when the endpoint is missing, and asks again in the background', async () => {
    const h = harness();
    h.answer(problem(404, 'not_found'));
    h.answer(problem(404, 'not_found'));
    h.stream.start();
    await settle();
    expect(h.stream.mode).toBe('polling');
    expect(await h.retry()).toBe(30_000);
    expect(await h.retry()).toBe(60_000);
    h.stream.stop();
  });

  it('waits as long as a 429 asks', async () => {
    const h = harness();
    h.answer(problem(429, 'rate_limited', { 'Retry-After': '120' }));
    h.stream.start();
    await settle();
    expect(h.stream.mode).toBe('polling');
    expect(h.delays()).toEqual([120_000]);
    h.stream.stop();
  });

  it('takes a stream that answers with something else than events for a failure', async () => {
    const h = harness();
    h.answer(new Response('<html>', { status: 200, headers: { 'Content-Type': 'text/html' } }));
    h.stream.start();
    await settle();
    expect(h.stream.mode).toBe('connecting');
    expect(h.delays()).toEqual([FIRST_RETRY_MS]);
    h.stream.stop();
  });

  it('takes a silent stream for dead, and a connection that never answers for a failure', async () => {
    const h = harness();
    const sse = h.open();
    h.stream.start();
    await settle();
    sse.write(': keep-alive\n\n');
    await settle();
    await h.fire(QUIET_LIMIT_MS);
    // Aborted: the read fails, and the stream is tried again.
    expect(h.requests[0]!.signal.aborted).toBe(true);
    await h.retry();
    expect(h.requests.length).toBe(2);
    await h.fire(CONNECT_TIMEOUT_MS);
    expect(h.requests[1]!.signal.aborted).toBe(true);
    expect(h.delays()).toEqual([2 * FIRST_RETRY_MS]);
    h.stream.stop();
  });

  it('stops for good: the connection aborted, no timer left, the id forgotten', async () => {
    const h = harness();
    const sse = h.open();
    h.stream.start();
    await settle();
    sse.write('id: 9\nevent: notification\ndata: {"ticket_id": null, "kind": "sla_breach"}\n\n');
    await settle();
    h.stream.stop();
    await settle();
    expect(h.requests[0]!.signal.aborted).toBe(true);
    expect(h.delays()).toEqual([]);
    expect(h.stream.lastEventId).toBe('');
    expect(h.stream.mode).toBe('connecting');
  });

  it('moves to a stream opened with the renewed token at once, from the last id, without a word to the views', async () => {
    const h = harness();
    const first = h.open();
    h.stream.start();
    await settle();
    first.write('id: 7\nevent: ticket.updated\ndata: {"ticket_id": 3}\n\n');
    await settle();
    // The same token: nothing to do.
    h.stream.renewed();
    expect(h.requests.length).toBe(1);
    h.setToken('token-9');
    const second = h.open();
    h.stream.renewed();
    await settle();
    expect(h.requests[0]!.signal.aborted).toBe(true);
    expect(h.requests[1]!.headers).toMatchObject({ Authorization: 'Bearer token-9', 'Last-Event-ID': '7' });
    expect(h.modes).toEqual(['live']);
    // Only the new stream's frames count, and no retry was left behind by the old one.
    second.write('id: 8\nevent: message.added\ndata: {"ticket_id": 3, "message_id": 5}\n\n');
    await settle();
    expect(h.events.map((e) => ('id' in e ? e.id : e.type))).toEqual(['resync', '7', '8']); // the first open's resync, then the frames
    expect(h.delays()).toEqual([QUIET_LIMIT_MS]);
    h.stream.stop();
  });

  it('closes the stream of a tab hidden for long and opens it again from its last id when shown', async () => {
    const h = harness();
    const first = h.open();
    h.stream.start();
    await settle();
    first.write('id: 12\nevent: ticket.updated\ndata: {"ticket_id": 3}\n\n');
    await settle();
    // Hidden for a moment: nothing happens.
    h.stream.hidden();
    h.stream.shown();
    expect(h.delays()).toEqual([QUIET_LIMIT_MS]);
    expect(h.requests[0]!.signal.aborted).toBe(false);
    // Hidden for long: the stream closes, quietly, and nothing is retried while hidden.
    h.stream.hidden();
    await h.fire(PARK_AFTER_MS);
    expect(h.requests[0]!.signal.aborted).toBe(true);
    expect(h.delays()).toEqual([]);
    expect(h.modes).toEqual(['live']);
    // Shown: a stream at once, from where it was, and what the server replays reaches the views.
    const second = h.open();
    h.stream.shown();
    await settle();
    expect(h.requests[1]!.headers['Last-Event-ID']).toBe('12');
    second.write('id: 13\nevent: message.added\ndata: {"ticket_id": 3, "message_id": 9}\n\n');
    await settle();
    expect(h.events.map((e) => ('id' in e ? e.id : e.type))).toEqual(['resync', '12', '13']);
    expect(h.modes).toEqual(['live']);
    h.stream.stop();
  });

  it('tries at once when asked, keeping its count of failures', async () => {
    const h = harness();
    for (let i = 0; i < 3; i++) h.answer(new TypeError('offline'));
    h.stream.start();
    await settle();
    await h.retry();
    await h.retry();
    expect(h.stream.mode).toBe('polling');
    expect(h.delays()).toEqual([4 * FIRST_RETRY_MS]);
    h.answer(new TypeError('offline'));
    h.stream.retryNow();
    await settle();
    expect(h.requests.length).toBe(4);
    expect(h.delays()).toEqual([8 * FIRST_RETRY_MS]);
    h.open();
    h.stream.retryNow();
    await settle();
    expect(h.stream.mode).toBe('live');
    // Connected: nothing to try.
    h.stream.retryNow();
    await settle();
    expect(h.requests.length).toBe(5);
    h.stream.stop();
  });
});
