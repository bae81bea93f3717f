/**
 * What the bell and the preferences page decide on their own: the badge's text, which kinds a
 * person is asked about, marking read in what is shown, and a choice changed in the preferences.
 */

import type { Role } from '../api/schemas';
import { CHANNELS, NOTIFICATION_KINDS, type Channel, type Notification, type NotificationKind, type NotificationPreferences } from '../data/notifications';

/** The kinds that concern a customer: their own tickets' life. Staff are asked about all. */
export const CUSTOMER_KINDS: readonly NotificationKind[] = ['ticket_created', 'message_added', 'status_changed', 'ticket_resolved'];

export function kindsFor(role: Role): readonly NotificationKind[] {
  return role === 'customer' ? CUSTOMER_KINDS : NOTIFICATION_KINDS;
}

/** The most the badge spells out; more reads "99+". */
export const BADGE_MAX = 99;

/** The badge's text: nothing when all is read. */
export function badgeText(unread: number): string {
  if (unread <= 0) return '';
  return unread > BADGE_MAX ? `${BADGE_MAX}+` : String(unread);
}

export interface BellState {
  unread: number;
  newest: number | null;
}

/**
 * How many notifications to announce as new when the bell's poll moves from `before` to `now`:
 * the rise of the unread count when a newer notification came (nothing at the first answer, and
 * nothing when only reading moved the count); `null` keeps what was announced, 0 clears it.
 */
export function arrivals(before: BellState | null, now: BellState): number | null {
  if (!before) return null;
  if (now.newest !== null && now.newest !== before.newest && now.unread > before.unread) return now.unread - before.unread;
  return now.unread < before.unread ? 0 : null;
}

/** The notifications shown, those named (or all) marked read at `at`; the others untouched. */
export function markedRead(items: Notification[], which: readonly number[] | 'all', at: string): Notification[] {
  const ids = which === 'all' ? null : new Set(which);
  return items.map((n) => (n.read_at === null && (ids === null || ids.has(n.id)) ? { ...n, read_at: at } : n));
}

/** The preferences with one choice changed; the rest, shown or not, as they were. */
export function withChoice(preferences: NotificationPreferences, channel: Channel, kind: NotificationKind, on: boolean): NotificationPreferences {
  return { ...preferences, [channel]: { ...preferences[channel], [kind]: on } };
}

export function samePreferences(a: NotificationPreferences, b: NotificationPreferences): boolean {
  return a.language === b.language && CHANNELS.every((channel) => NOTIFICATION_KINDS.every((kind) => a[channel][kind] === b[channel][kind]));
}
