//! The ticket page's data, for the portal and the console alike. The ticket itself is read again
//! on the live stream's frames about it, and polled (ETag, 304 while nothing changed) while the
//! stream is down; its thread, files and history are read again only when the ticket's
//! `updated_at` (`version`) moves, which every message, status change and assignment does. The
//! tickets linked to one (staff) are read again with it, and when one of them changes.

import { useRef } from 'preact/hooks';
import type { Attachment, Message } from '../api/schemas';
import { ticketFiles } from './files';
import { revalidateLinks, type TicketLink } from './links';
import { allMessages } from './messages';
import { someTicketChanged, ticketChanged } from './live';
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

/** The tickets linked to ticket `id` (staff), each with its status: read again when the ticket's
 * `updated_at` moves and on the live stream's frames about a linked ticket, and polled like the
 * ticket while the stream is down. */
export function useLinks(id: number, version: string | undefined) {
  const linked = useRef<ReadonlySet<number>>(new Set());
  const links = useLive<TicketLink[]>(`links:${id}:${version ?? ''}`, (etag, signal) => revalidateLinks(id, etag, signal), {
    follows: (event) => someTicketChanged(linked.current)(event),
  });
  linked.current = new Set((links.data ?? []).map((link) => link.ticket_id));
  return links;
}
