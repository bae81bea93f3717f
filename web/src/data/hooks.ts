//! The ticket page's data, for the portal and the console alike. The ticket itself is read again
//! on the live stream's frames about it, and polled (ETag, 304 while nothing changed) while the
//! stream is down; its thread, files and history are read again only when the ticket's
//! `updated_at` (`version`) moves, which every message, status change and assignment does.

import type { Attachment, Message } from '../api/schemas';
import { ticketFiles } from './files';
import { allMessages } from './messages';
import { ticketChanged } from './live';
import { useLive, useResource } from './resource';
import { revalidateTicket, ticketHistory, type HistoryEntry } from './tickets';

export function useTicket(id: number) {
  return useLive(`ticket:${id}`, (etag, signal) => revalidateTicket(id, etag, signal), { follows: ticketChanged(id) });
}

export function useThread(id: number, version: string | undefined) {
  return useResource<Message[]>(`thread:${id}:${version ?? ''}`, (signal) => allMessages(id, signal));
}

export function useFiles(id: number, version?: string) {
  return useResource<Attachment[]>(`files:${id}:${version ?? ''}`, (signal) => ticketFiles(id, signal));
}

export function useHistory(id: number, version: string | undefined) {
  return useResource<HistoryEntry[]>(`history:${id}:${version ?? ''}`, (signal) => ticketHistory(id, signal));
}
