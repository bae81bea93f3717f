/**
 * Presence on a ticket's page, both ways. Colleagues: each `presence` frame renews its person
 * for `expires_in` seconds (a `left` frame forgets them at once), so a tab closed without a word
 * drops out on its own. This page: a `PresenceBeacon` says it is here when the page opens and
 * every 15 s after, says "typing" at the first keystroke and "stopped" after 5 s without one or
 * once the message is sent.
 */

import type { PresenceEvent } from '../../data/live';

export interface Present {
  userId: string;
  name: string;
  typing: boolean;
  /** When to forget them (ms since the epoch), unless another frame comes. */
  until: number;
}

/** The list after a frame, in arrival order (a known person keeps their place). */
export function applyPresence(list: readonly Present[], event: PresenceEvent, now: number): Present[] {
  if (event.left) return list.filter((p) => p.userId !== event.userId);
  const next: Present = { userId: event.userId, name: event.name, typing: event.typing, until: now + event.expiresInSeconds * 1000 };
  return list.some((p) => p.userId === event.userId) ? list.map((p) => (p.userId === event.userId ? next : p)) : [...list, next];
}

/** Those not expired at `now`. */
export function present(list: readonly Present[], now: number): Present[] {
  return list.filter((p) => p.until > now);
}

/** When the next person expires, or `null` for nobody. */
export function nextExpiry(list: readonly Present[]): number | null {
  return list.length ? Math.min(...list.map((p) => p.until)) : null;
}

export const HEARTBEAT_MS = 15_000;
export const TYPING_IDLE_MS = 5_000;

export interface BeaconTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const defaultTimers: BeaconTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What this page tells the server about itself (`send(typing)`), from the keystrokes it is told of. */
export class PresenceBeacon {
  private typing = false;
  private heartbeat: unknown = null;
  private idle: unknown = null;
  private open = false;

  constructor(
    private readonly send: (typing: boolean) => void,
    private readonly timers: BeaconTimers = defaultTimers,
  ) {}

  get isTyping(): boolean {
    return this.typing;
  }

  /** The page opened: here, not typing; then every `HEARTBEAT_MS`. */
  start(): void {
    if (this.open) return;
    this.open = true;
    this.say();
  }

  /** A key typed in the reply: "typing" the first time, and "stopped" after `TYPING_IDLE_MS` of quiet. */
  keystroke(): void {
    if (!this.open) return;
    if (this.idle !== null) this.timers.clear(this.idle);
    this.idle = this.timers.set(() => this.stopped(), TYPING_IDLE_MS);
    if (!this.typing) {
      this.typing = true;
      this.say();
    }
  }

  /** The reply went: no longer typing. */
  sent(): void {
    if (this.open && this.typing) this.stopped();
  }

  /** The page closes: nothing more is sent (the caller says it left). */
  stop(): void {
    this.open = false;
    this.typing = false;
    if (this.heartbeat !== null) this.timers.clear(this.heartbeat);
    if (this.idle !== null) this.timers.clear(this.idle);
    this.heartbeat = null;
    this.idle = null;
  }

  private stopped(): void {
    if (this.idle !== null) this.timers.clear(this.idle);
    this.idle = null;
    this.typing = false;
    this.say();
  }

  /** Sends the state now, and the heartbeat counts from here. */
  private say(): void {
    this.send(this.typing);
    if (this.heartbeat !== null) this.timers.clear(this.heartbeat);
    this.heartbeat = this.timers.set(() => this.open && this.say(), HEARTBEAT_MS);
  }
}
