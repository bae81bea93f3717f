/**
 * The live stream (`GET /v1/stream`): one connection per tab, shared by every view. It is read
 * with fetch (the access token in the Authorization header, never in the address: no
 * EventSource), parsed by `sse.ts`, and its frames handed to whoever listens (`subscribe`).
 *
 * - When the session renews its access token, the stream moves at once to one opened with the
 *   new token and the last id seen as `Last-Event-ID` (the server replays what was missed, or
 *   says `resync`), before the server closes the old one at its token's expiry.
 * - A stream that ends anyway (the server closes it when the token expires or the session ends)
 *   is opened again the same way after the server's `retry`.
 * - A stream that cannot be had (a few failures in a row, the endpoint missing, too many
 *   streams) puts the tab in `polling` mode: the views poll as they did before the stream
 *   existed, and the stream is tried again in the background, less and less often.
 *   The browser saying it is online again, or the tab being shown again, tries it at once.
 * - A stream that goes quiet (no frame and no keep-alive for three keep-alive periods) is
 *   taken for dead and opened again.
 * - A tab hidden for `PARK_AFTER_MS` closes its stream (each open one counts against the
 *   person's `STREAMS_PER_USER`, and a hidden tab shows nothing) and keeps its place: shown
 *   again, it opens one at once with the last id seen, and the server replays what it missed.
 */

import type { Fetch } from '../api/client';
import { SseParser, readStream, type SseFrame } from './sse';

/** `connecting`: not yet known; `live`: the stream is up; `polling`: the views poll. */
export type LiveMode = 'connecting' | 'live' | 'polling';

export type LiveEventType = 'ticket.created' | 'ticket.updated' | 'message.added' | 'notification';

export type LiveEvent =
  | { type: LiveEventType; id: string; ticketId: number | null; messageId: number | null; kind: string | null }
  /** What was missed cannot be replayed (or the tab was on polling): refetch everything shown.
   * `first`: the stream is up for the first time; only what was read before it, when no frame
   * would have told of a change, need be read again. */
  | { type: 'resync'; first?: true }
  | PresenceEvent;

/** A colleague on a ticket's page (never the reader): there, typing, or gone (`left`). These
 * frames carry no id and are never replayed: they leave `Last-Event-ID` as it was. */
export interface PresenceEvent {
  type: 'presence';
  ticketId: number;
  userId: string;
  name: string;
  typing: boolean;
  left: boolean;
  /** Forget the person this long after this frame, unless another comes. */
  expiresInSeconds: number;
}

/** When a presence frame names no lifetime. */
export const PRESENCE_DEFAULT_SECONDS = 30;

export interface StreamAuth {
  token(): string | null;
  /** Gets a new access token; `false` when the session is over. */
  refresh(): Promise<boolean>;
}

export interface StreamTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface StreamOptions {
  fetch: Fetch;
  auth: StreamAuth;
  timers?: StreamTimers;
  random?: () => number;
  now?: () => number;
  path?: string;
}

const TYPES: readonly string[] = ['ticket.created', 'ticket.updated', 'message.added', 'notification'];

/** Failures in a row before the views go back to polling. */
export const FAILURES_BEFORE_POLLING = 3;
/** The first retry after a failure; each failure in a row doubles it, up to `MAX_RETRY_MS`. */
export const FIRST_RETRY_MS = 1000;
export const MAX_RETRY_MS = 60_000;
/** The endpoint is missing (404): asked again this often at first, then less often. */
export const MISSING_RETRY_MS = 30_000;
export const MAX_MISSING_RETRY_MS = 5 * 60_000;
/** The reconnection time when the server names none. */
export const DEFAULT_RETRY_MS = 3000;
/** Nothing at all (the server sends `: keep-alive` every 15 s) for this long: the stream is dead. */
export const QUIET_LIMIT_MS = 45_000;
/** No answer's headers within this long: the attempt failed. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** A tab hidden this long closes its stream until it is shown again. */
export const PARK_AFTER_MS = 5 * 60_000;
/** A stream that lasted this long was healthy: its end is not a failure. */
export const HEALTHY_MS = 10_000;

const defaultTimers: StreamTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A frame's meaning, or `null` for a frame of no known type or with unreadable data. */
export function toEvent(frame: SseFrame): LiveEvent | null {
  if (frame.event === 'resync') return { type: 'resync' };
  if (!TYPES.includes(frame.event) && frame.event !== 'presence') return null;
  let data: unknown;
  try {
    data = JSON.parse(frame.data);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  const int = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) ? value : null);
  if (frame.event === 'presence') return toPresence(record, int(record.ticket_id));
  return {
    type: frame.event as LiveEventType,
    id: frame.id,
    ticketId: int(record.ticket_id),
    messageId: int(record.message_id),
    kind: typeof record.kind === 'string' ? record.kind : null,
  };
}

function toPresence(record: Record<string, unknown>, ticketId: number | null): PresenceEvent | null {
  if (ticketId === null || typeof record.user_id !== 'string' || !record.user_id) return null;
  const seconds = typeof record.expires_in === 'number' && record.expires_in > 0 ? record.expires_in : PRESENCE_DEFAULT_SECONDS;
  return {
    type: 'presence',
    ticketId,
    userId: record.user_id,
    name: typeof record.name === 'string' ? record.name : '',
    typing: record.typing === true,
    left: record.left === true,
    expiresInSeconds: seconds,
  };
}

export class LiveStream {
  private modeNow: LiveMode = 'connecting';
  private running = false;
  private controller: AbortController | null = null;
  private timer: unknown = null;
  private quiet: unknown = null;
  private failures = 0;
  private missing = 0;
  private lastId = '';
  private retryMs = DEFAULT_RETRY_MS;
  /** The stream was up once since `start`: a later gap may have missed something. */
  private everLive = false;
  /** A stream is open and being read, with this token. */
  private openWith: string | null = null;
  /** Closed while the tab is hidden, to open again from `lastId` when it is shown. */
  private parked = false;
  private parkTimer: unknown = null;
  /** Bumped by every start and stop: a connection of an older generation stays silent. */
  private generation = 0;
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private readonly modeListeners = new Set<(mode: LiveMode) => void>();
  private readonly fetcher: Fetch;
  private readonly auth: StreamAuth;
  private readonly timers: StreamTimers;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly path: string;

  constructor(options: StreamOptions) {
    this.fetcher = options.fetch;
    this.auth = options.auth;
    this.timers = options.timers ?? defaultTimers;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.path = options.path ?? '/v1/stream';
  }

  get mode(): LiveMode {
    return this.modeNow;
  }

  /** The last event id received (sent as `Last-Event-ID` on the next connection). */
  get lastEventId(): string {
    return this.lastId;
  }

  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  onMode(listener: (mode: LiveMode) => void): () => void {
    this.modeListeners.add(listener);
    return () => void this.modeListeners.delete(listener);
  }

  /** Opens the stream (for the signed-in person). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation += 1;
    this.failures = 0;
    this.missing = 0;
    void this.connect(this.generation);
  }

  /** Closes the stream and forgets where it was (the next person starts afresh). */
  stop(): void {
    this.running = false;
    this.generation += 1;
    this.controller?.abort();
    this.controller = null;
    this.clearTimers();
    this.lastId = '';
    this.retryMs = DEFAULT_RETRY_MS;
    this.everLive = false;
    this.openWith = null;
    this.parked = false;
    if (this.parkTimer !== null) this.timers.clear(this.parkTimer);
    this.parkTimer = null;
    this.setMode('connecting');
  }

  /** The tab was hidden: the stream closes if it stays hidden for `PARK_AFTER_MS`. */
  hidden(): void {
    if (!this.running || this.parked || this.parkTimer !== null) return;
    this.parkTimer = this.timers.set(() => this.park(), PARK_AFTER_MS);
  }

  /** The tab is shown: a closed stream opens again at once from where it was, a stream waiting
   * for its next try is tried now. */
  shown(): void {
    if (this.parkTimer !== null) this.timers.clear(this.parkTimer);
    this.parkTimer = null;
    if (!this.parked) return this.retryNow();
    this.parked = false;
    if (this.running) void this.connect(this.generation);
  }

  /** Closes the stream of a hidden tab, keeping its last id (and its mode: a hidden tab's views
   * need not poll, and the replay brings what they missed). */
  private park(): void {
    this.parkTimer = null;
    if (!this.running) return;
    this.parked = true;
    this.generation += 1;
    this.controller?.abort();
    this.controller = null;
    this.clearTimers();
    this.openWith = null;
  }

  /** Tries the stream now rather than at the next retry (the network is back, the tab shown). */
  retryNow(): void {
    if (!this.running || this.timer === null) return;
    this.timers.clear(this.timer);
    this.timer = null;
    void this.connect(this.generation);
  }

  /** The session has a new access token: an open stream moves to one opened with it, at once
   * (the old one would end at its token's expiry, leaving a gap until the next opens). */
  renewed(): void {
    if (!this.running || this.openWith === null || this.auth.token() === this.openWith) return;
    this.generation += 1;
    this.openWith = null;
    this.controller?.abort();
    this.clearTimers();
    void this.connect(this.generation);
  }

  private async connect(generation: number): Promise<void> {
    this.timer = null;
    const current = () => this.running && generation === this.generation;
    let token = this.auth.token();
    if (!token) {
      if (!(await this.refreshed())) return;
      if (!current()) return;
      token = this.auth.token();
    }
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (this.lastId) headers['Last-Event-ID'] = this.lastId;
    const deadline = this.timers.set(() => controller.abort(), CONNECT_TIMEOUT_MS);
    let response: Response;
    try {
      response = await this.fetcher(this.path, { method: 'GET', headers, credentials: 'same-origin', cache: 'no-store', signal: controller.signal });
    } catch {
      if (current()) this.failed();
      return;
    } finally {
      this.timers.clear(deadline);
    }
    if (!current()) return controller.abort();

    if (response.status === 401) {
      void response.body?.cancel();
      // The token expired (or the session ended): a new token, or the session is over.
      if (token === this.auth.token() && !(await this.refreshed())) return;
      if (!current()) return;
      // At once with the new token; a second refusal in a row is a failure like any other.
      if (this.failures > 0) return this.failed();
      this.failures = 1;
      return this.retryAfter(0);
    }
    if (response.status === 404 || response.status === 405 || response.status === 501) {
      void response.body?.cancel();
      this.missing += 1;
      this.setMode('polling');
      return this.retryAfter(Math.min(MAX_MISSING_RETRY_MS, MISSING_RETRY_MS * 2 ** (this.missing - 1)));
    }
    if (response.status === 429 || response.status === 503) {
      void response.body?.cancel();
      this.failures += 1;
      this.setMode('polling');
      return this.retryAfter(Math.max(retryAfterMs(response.headers.get('Retry-After')) ?? 0, this.backoff()));
    }
    const type = response.headers.get('Content-Type') ?? '';
    if (!response.ok || !response.body || !type.toLowerCase().startsWith('text/event-stream')) {
      void response.body?.cancel();
      return this.failed();
    }

    this.missing = 0;
    const opened = this.now();
    const wasLive = this.modeNow === 'live';
    this.setMode('live');
    // Back from polling, or after a gap with no id to replay from: what was missed is unknown.
    // Up for the first time: what was read before may have changed since.
    if (!this.everLive) this.emit({ type: 'resync', first: true });
    else if (!wasLive || this.lastId === '') this.emit({ type: 'resync' });
    this.everLive = true;
    this.openWith = token;
    this.watch(controller);
    const parser = new SseParser(
      {
        frame: (frame) => {
          if (!current()) return;
          // A frame without an id (presence) carries the last one on, as the standard says.
          this.lastId = frame.id;
          const event = toEvent(frame);
          if (event) this.emit(event);
        },
        retry: (ms) => (this.retryMs = ms),
      },
      this.lastId,
    );
    let ended = true;
    try {
      await readStream(response.body, parser, () => this.watch(controller));
    } catch {
      ended = false;
    }
    if (!current()) return;
    this.openWith = null;
    this.lastId = parser.lastEventId;
    this.clearQuiet();
    const healthy = this.now() - opened >= HEALTHY_MS;
    if (healthy) this.failures = 0;
    // The server closed a stream that served (its token expired): opened again at once, as asked.
    if (ended && healthy) return this.retryAfter(this.jitter(this.retryMs));
    return this.failed();
  }

  /** One more failure: retried later, and the views poll once there were a few in a row. */
  private failed(): void {
    this.failures += 1;
    if (this.failures >= FAILURES_BEFORE_POLLING) this.setMode('polling');
    this.retryAfter(this.backoff());
  }

  private backoff(): number {
    return this.jitter(Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, this.failures - 1)));
  }

  /** Between half and the whole of `ms`, so that tabs cut together do not come back together. */
  private jitter(ms: number): number {
    return Math.round(ms * (0.5 + this.random() / 2));
  }

  private retryAfter(ms: number): void {
    if (!this.running) return;
    const generation = this.generation;
    this.timer = this.timers.set(() => void this.connect(generation), ms);
  }

  private async refreshed(): Promise<boolean> {
    try {
      if (await this.auth.refresh()) return true;
      // The session is over: whoever ends it stops the stream.
      return false;
    } catch {
      // No network to refresh with: tried again like any failure.
      if (this.running) this.failed();
      return false;
    }
  }

  /** (Re)arms the quiet timer: the stream is taken for dead after `QUIET_LIMIT_MS` of silence. */
  private watch(controller: AbortController): void {
    this.clearQuiet();
    this.quiet = this.timers.set(() => controller.abort(), QUIET_LIMIT_MS);
  }

  private clearQuiet(): void {
    if (this.quiet !== null) this.timers.clear(this.quiet);
    this.quiet = null;
  }

  private clearTimers(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.clearQuiet();
  }

  private setMode(mode: LiveMode): void {
    if (this.modeNow === mode) return;
    this.modeNow = mode;
    for (const listener of [...this.modeListeners]) listener(mode);
  }

  private emit(event: LiveEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}

/** `Retry-After` in seconds or as a date, in milliseconds from now. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
