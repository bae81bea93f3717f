import { describe, expect, it } from 'vitest';
import type { PresenceEvent } from '../../data/live';
import { HEARTBEAT_MS, PresenceBeacon, TYPING_IDLE_MS, applyPresence, nextExpiry, present, type Present } from './presence';

const frame = (userId: string, changes: Partial<PresenceEvent> = {}): PresenceEvent => ({
  type: 'presence',
  ticketId: 7,
  userId,
  name: userId === 'ines' ? 'Inès Moreau' : 'Hugo Bernard',
  typing: false,
  left: false,
  expiresInSeconds: 30,
  ...changes,
});

describe('colleagues on the page', () => {
  it('adds, renews and forgets people as frames say', () => {
    let list: Present[] = [];
    list = applyPresence(list, frame('ines'), 1000);
    list = applyPresence(list, frame('hugo'), 2000);
    expect(list.map((p) => [p.name, p.typing, p.until])).toEqual([
      ['Inès Moreau', false, 31_000],
      ['Hugo Bernard', false, 32_000],
    ]);
    // A later frame renews the person in place.
    list = applyPresence(list, frame('ines', { typing: true }), 10_000);
    expect(list.map((p) => [p.userId, p.typing, p.until])).toEqual([
      ['ines', true, 40_000],
      ['hugo', false, 32_000],
    ]);
    // Leaving forgets at once.
    list = applyPresence(list, frame('hugo', { left: true }), 11_000);
    expect(list.map((p) => p.userId)).toEqual(['ines']);
  });

  it('forgets a person expires_in seconds after their last frame', () => {
    const list = [applyPresence([], frame('ines', { expiresInSeconds: 30 }), 0), applyPresence([], frame('hugo', { expiresInSeconds: 10 }), 0)].flat();
    expect(nextExpiry(list)).toBe(10_000);
    expect(present(list, 9_999).map((p) => p.userId)).toEqual(['ines', 'hugo']);
    expect(present(list, 10_000).map((p) => p.userId)).toEqual(['ines']);
    expect(present(list, 30_000)).toEqual([]);
    expect(nextExpiry([])).toBeNull();
  });
});

/** Timers the test fires by hand. */
function fakeTimers() {
  let clock = 0;
  let next = 1;
  const pending = new Map<number, { at: number; callback: () => void }>();
  return {
    timers: {
      set: (callback: () => void, ms: number) => {
        pending.set(next, { at: clock + ms, callback });
        return next++;
      },
      clear: (handle: unknown) => void pending.delete(handle as number),
    },
    /** Moves the clock on, firing what falls due in order. */
    advance(ms: number) {
      const end = clock + ms;
      for (;;) {
        const due = [...pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        clock = due[1].at;
        due[1].callback();
      }
      clock = end;
    },
    count: () => pending.size,
  };
}

describe('PresenceBeacon', () => {
  it('says it is here on opening and every 15 s after', () => {
    const sent: boolean[] = [];
    const t = fakeTimers();
    const beacon = new PresenceBeacon((typing) => sent.push(typing), t.timers);
    beacon.start();
    expect(sent).toEqual([false]);
    t.advance(HEARTBEAT_MS - 1);
    expect(sent).toEqual([false]);
    t.advance(1);
    t.advance(HEARTBEAT_MS);
    expect(sent).toEqual([false, false, false]);
  });

  it('says typing at the first keystroke, and stopped after 5 s without one', () => {
    const sent: boolean[] = [];
    const t = fakeTimers();
    const beacon = new PresenceBeacon((typing) => sent.push(typing), t.timers);
    beacon.start();
    beacon.keystroke();
    t.advance(3000);
    beacon.keystroke();
    t.advance(3000);
    beacon.keystroke();
    expect(sent).toEqual([false, true]);
    expect(beacon.isTyping).toBe(true);
    t.advance(TYPING_IDLE_MS);
    expect(sent).toEqual([false, true, false]);
    expect(beacon.isTyping).toBe(false);
  });

  it('keeps saying typing on the heartbeat while typing goes on', () => {
    const sent: boolean[] = [];
    const t = fakeTimers();
    const beacon = new PresenceBeacon((typing) => sent.push(typing), t.timers);
    beacon.start();
    beacon.keystroke();
    for (let i = 0; i < 4; i++) {
      t.advance(4000);
      beacon.keystroke();
    }
    expect(sent).toEqual([false, true, true]);
  });

  it('says stopped once the reply is sent, and nothing after stopping', () => {
    const sent: boolean[] = [];
    const t = fakeTimers();
    const beacon = new PresenceBeacon((typing) => sent.push(typing), t.timers);
    beacon.start();
    beacon.keystroke();
    beacon.sent();
    expect(sent).toEqual([false, true, false]);
    beacon.sent();
    expect(sent).toEqual([false, true, false]);
    beacon.stop();
    t.advance(HEARTBEAT_MS * 3);
    beacon.keystroke();
    expect(sent).toEqual([false, true, false]);
    expect(t.count()).toBe(0);
  });
});
