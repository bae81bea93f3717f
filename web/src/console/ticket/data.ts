//! A ticket's data on its page. The ticket itself is polled (ETag, 304 while nothing changed);
//! its thread, files and history are read again only when the ticket's `updated_at` moves,
//! which every message, status change and assignment does.

import { api, revalidate } from '../../api';
import type { Attachment, Message } from '../../api/schemas';
import type { AppSchemas } from '../../api/types';
import { useLive } from '../live/useLive';

export type HistoryEntry = AppSchemas['HistoryEntry'];

/** Long threads are read whole, a hundred at a time, up to this many. */
const MAX_PAGES = 20;

export function useTicket(id: number) {
  return useLive(`ticket:${id}`, (etag, signal) => revalidate('/v1/tickets/{id}', etag, { path: { id }, signal }));
}

/** Every page of a list, in the API's order. */
async function all<T>(page: (cursor: string | undefined) => Promise<{ data: T[]; next_cursor?: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n += 1) {
    const answer = await page(cursor);
    items.push(...answer.data);
    if (!answer.next_cursor) break;
    cursor = answer.next_cursor;
  }
  return items;
}

const once = <T,>(load: (signal: AbortSignal) => Promise<T>) => async (_etag: string | null, signal: AbortSignal) => ({ changed: true as const, body: await load(signal), etag: null });

export function useThread(id: number, version: string | undefined) {
  return useLive<Message[]>(
    `thread:${id}:${version ?? ''}`,
    once((signal) => all((cursor) => api('GET', '/v1/tickets/{id}/messages', { path: { id }, query: { limit: 100, cursor }, signal }))),
    { live: false },
  );
}

export function useHistory(id: number, version: string | undefined) {
  return useLive<HistoryEntry[]>(
    `history:${id}:${version ?? ''}`,
    once((signal) => all((cursor) => api('GET', '/v1/tickets/{id}/history', { path: { id }, query: { limit: 100, cursor }, signal }))),
    { live: false },
  );
}

export function useFiles(id: number, version: string | undefined) {
  return useLive<Attachment[]>(
    `files:${id}:${version ?? ''}`,
    once((signal) => all((cursor) => api('GET', '/v1/tickets/{id}/attachments', { path: { id }, query: { limit: 100, cursor }, signal }))),
    { live: false },
  );
}
