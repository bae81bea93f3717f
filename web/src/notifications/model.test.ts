import { describe, expect, it } from 'vitest';
import type { Notification, NotificationPreferences } from '../data/notifications';
import { arrivals, badgeText, kindsFor, markedRead, samePreferences, withChoice } from './model';

const note = (id: number, read_at: string | null = null): Notification => ({
  id,
  kind: 'message_added',
  ticket_id: 7,
  title: `Notification ${id}`,
  created_at: '2026-11-24T06:00:00Z',
  read_at,
});

const all = (on: boolean) => ({
  ticket_created: on,
  ticket_assigned: on,
  message_added: on,
  status_changed: on,
  ticket_resolved: on,
  sla_breach: on,
});

describe('kindsFor', () => {
  it('asks customers about their tickets only, and staff about everything', () => {
    expect(kindsFor('customer')).toEqual(['ticket_created', 'message_added', 'status_changed', 'ticket_resolved']);
    for (const role of ['agent', 'admin', 'owner'] as const) expect(kindsFor(role)).toHaveLength(6);
    expect(kindsFor('agent')).toContain('sla_breach');
  });
});

describe('badgeText', () => {
  it('is empty when all is read, and caps large counts', () => {
    expect(badgeText(0)).toBe('');
    expect(badgeText(-1)).toBe('');
    expect(badgeText(3)).toBe('3');
    expect(badgeText(99)).toBe('99');
    expect(badgeText(100)).toBe('99+');
  });
});

describe('markedRead', () => {
  it('marks the named unread notifications, keeping an earlier read time', () => {
    const items = [note(3), note(2, '2026-11-24T05:00:00Z'), note(1)];
    const after = markedRead(items, [3, 2], '2026-11-24T07:00:00Z');
    expect(after.map((n) => n.read_at)).toEqual(['2026-11-24T07:00:00Z', '2026-11-24T05:00:00Z', null]);
    expect(after[2]).toBe(items[2]);
  });

  it('marks every one with "all"', () => {
    expect(markedRead([note(2), note(1)], 'all', 'now').every((n) => n.read_at === 'now')).toBe(true);
  });
});

describe('withChoice and samePreferences', () => {
  it('changes one choice and keeps the kinds not shown', () => {
    const before: NotificationPreferences = { email: all(true), in_app: all(true), language: 'fr' };
    const after = withChoice(before, 'email', 'message_added', false);
    expect(after.email.message_added).toBe(false);
    expect(after.email.sla_breach).toBe(true);
    expect(after.in_app).toEqual(before.in_app);
    expect(before.email.message_added).toBe(true);
    expect(samePreferences(before, after)).toBe(false);
    expect(samePreferences(before, withChoice(after, 'email', 'message_added', true))).toBe(true);
    expect(samePreferences(before, { ...before, language: 'en' })).toBe(false);
  });
});

describe('arrivals', () => {
  it('announces what a newer notification brought, never the first answer or a read', () => {
    expect(arrivals(null, { unread: 4, newest: 9 })).toBeNull();
    expect(arrivals({ unread: 4, newest: 9 }, { unread: 6, newest: 11 })).toBe(2);
    expect(arrivals({ unread: 4, newest: 9 }, { unread: 4, newest: 9 })).toBeNull();
    expect(arrivals({ unread: 4, newest: 9 }, { unread: 3, newest: 9 })).toBe(0);
    // Read elsewhere while one arrived: nothing to announce as a rise.
    expect(arrivals({ unread: 4, newest: 9 }, { unread: 4, newest: 10 })).toBeNull();
  });
});
