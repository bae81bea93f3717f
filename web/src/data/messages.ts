/** A ticket's conversation: its messages a page at a time or whole, and a new one. */

import { api } from '../api';
import type { Message } from '../api/schemas';
import type { JsonBody } from '../api/types';
import { allPages, type Page } from './pages';

export type NewMessage = JsonBody<'POST', '/v1/tickets/{id}/messages'>;

/** Long threads are read whole, a hundred at a time, up to this many pages. */
const MAX_PAGES = 20;

export function listMessages(ticketId: number, page: { limit?: number; cursor?: string }, signal?: AbortSignal): Promise<Page<Message>> {
  return api('GET', '/v1/tickets/{id}/messages', { path: { id: ticketId }, query: page, signal });
}

/** The whole thread; from `first` on when its first page was brought with the ticket. */
export async function allMessages(ticketId: number, signal?: AbortSignal, first?: Page<Message>): Promise<Message[]> {
  if (!first) return allPages((cursor) => listMessages(ticketId, { limit: 100, cursor }, signal), MAX_PAGES);
  const next = first.next_cursor;
  if (!next) return first.data;
  const rest = await allPages((cursor) => listMessages(ticketId, { limit: 100, cursor: cursor ?? next }, signal), MAX_PAGES - 1);
  return [...first.data, ...rest];
}

export function postMessage(ticketId: number, message: NewMessage): Promise<Message> {
  return api('POST', '/v1/tickets/{id}/messages', { path: { id: ticketId }, body: message });
}
