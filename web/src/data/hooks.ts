/**
 * The ticket page's data, for the portal and the console alike. The ticket itself is read again
 * on the live stream's frames about it, and polled (ETag, 304 while nothing changed) while the
 * stream is down; its thread, files and history are read again only when the ticket's
 * `updated_at` (`version`) moves, which every message, status change and assignment does. The
 * tickets linked to one (staff) are read again with it, and when one of them changes. The
 * console's page opens on one request: the ticket brings its thread's first page, its links and
 * its customer (`?include=`), which the hooks showing them take as their first load.
 */

import { useRef } from 'preact/hooks';
import type { Attachment, Message } from '../api/schemas';
import { ticketFiles } from './files';
import { revalidateLinks, type TicketLink } from './links';
import { allMessages } from './messages';
import { someTicketChanged, ticketChanged } from './live';
import type { Page } from './pages';
import { prime, takePrimed } from './primed';
import { useLive, useResource } from './resource';
import { getTicketWith, revalidateTicket, ticketCustomer, ticketHistory, type HistoryEntry, type TicketCustomer, type TicketParts, type TicketView } from './tickets';

/** `include`: the parts its first load brings along (`STAFF_PARTS`), left for `useThread`,
 * `useLinks` and `useCustomer`; later loads read the ticket alone. */
export function useTicket(id: number, include?: string) {
  // The ticket whose parts were asked for already.
  const brought = useRef<number | null>(null);
  return useLive<TicketView>(
    `ticket:${id}`,
    async (etag, signal) => {
      if (!include || brought.current === id) return revalidateTicket(id, etag, signal);
      brought.current = id;
      const { included, ...ticket } = await getTicketWith(id, include, signal);
      if (included) primeParts(id, ticket.updated_at, included);
      // Its tag is the address with `include`'s: the next load asks afresh.
      return { changed: true, body: ticket, etag: null };
    },
    { follows: ticketChanged(id) },
  );
}

function primeParts(id: number, version: string, parts: TicketParts) {
  if (parts.messages) prime(threadKey(id, version), parts.messages);
  if (parts.links) prime(linksKey(id, version), parts.links);
  if (parts.customer) prime(customerKey(id), parts.customer);
}

const threadKey = (id: number, version: string | undefined) => `thread:${id}:${version ?? ''}`;
const linksKey = (id: number, version: string | undefined) => `links:${id}:${version ?? ''}`;
const customerKey = (id: number) => `customer:${id}`;

export function useThread(id: number, version: string | undefined) {
  const key = threadKey(id, version);
  return useResource<Message[]>(key, (signal) => allMessages(id, signal, takePrimed<Page<Message>>(key)));
}

/** The customer beside a ticket (staff). */
export function useCustomer(id: number) {
  const key = customerKey(id);
  return useResource<TicketCustomer>(key, (signal) => takePrimedOr(key, () => ticketCustomer(id, signal)));
}

async function takePrimedOr<T>(key: string, load: () => Promise<T>): Promise<T> {
  const primed = takePrimed<T>(key);
  return primed !== undefined ? primed : load();
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
  const key = linksKey(id, version);
  const links = useLive<TicketLink[]>(
    key,
    async (etag, signal) => {
      const primed = etag === null ? takePrimed<TicketLink[]>(key) : undefined;
      return primed ? { changed: true, body: primed, etag: null } : revalidateLinks(id, etag, signal);
    },
    { follows: (event) => someTicketChanged(linked.current)(event) },
  );
  linked.current = new Set((links.data ?? []).map((link) => link.ticket_id));
  return links;
}
