/**
 * The rule behind "X replied since you started. Send anyway?": a public reply is held back when
 * the thread has a public message from another staff member newer than the newest message that
 * was on screen when this person started typing (message ids grow with time).
 */

import type { Message } from '../../api/schemas';

/** The newest message id of a thread, `null` for an empty one. */
export function newestId(messages: readonly Pick<Message, 'id'>[]): number | null {
  return messages.reduce<number | null>((newest, m) => (newest === null || m.id > newest ? m.id : newest), null);
}

/** Colleagues' public replies newer than `seen` (the newest id on screen at the first keystroke;
 * `null` when the thread was empty then), oldest first. */
export function newerColleagueReplies<M extends Pick<Message, 'id' | 'sender_id' | 'sender_type' | 'is_internal'>>(messages: readonly M[], seen: number | null, me: string): M[] {
  return messages
    .filter((m) => m.sender_type === 'agent' && !m.is_internal && m.sender_id !== me && (seen === null || m.id > seen))
    .sort((a, b) => a.id - b.id);
}

/** Each author once, in the order they replied. */
export function authorsOf(messages: readonly Pick<Message, 'sender_id'>[]): string[] {
  return [...new Set(messages.map((m) => m.sender_id))];
}
