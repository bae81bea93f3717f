/**
 * Linked tickets (staff only): a parent and its children, or related tickets, each link read from
 * one side (`kind` is what the other ticket is to this one); and a message split off into a new
 * ticket, linked to the first as related.
 */

import { api, revalidate, type Revalidated } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export type TicketLink = ResponseBody<'GET', '/v1/tickets/{id}/links'>[number];
export type LinkKind = TicketLink['kind'];
export type NewLink = JsonBody<'POST', '/v1/tickets/{id}/links'>;
export type SplitTicket = ResponseBody<'POST', '/v1/tickets/{id}/messages/{message_id}/split'>;

/** The links again, `changed: false` while the answer tagged `etag` is current. */
export function revalidateLinks(ticketId: number, etag: string | null, signal?: AbortSignal): Promise<Revalidated<TicketLink[]>> {
  return revalidate('/v1/tickets/{id}/links', etag, { path: { id: ticketId }, signal });
}

/** `kind`: what the other ticket is to this one. */
export function addLink(ticketId: number, link: NewLink): Promise<TicketLink> {
  return api('POST', '/v1/tickets/{id}/links', { path: { id: ticketId }, body: link });
}

export function removeLink(ticketId: number, otherId: number) {
  return api('DELETE', '/v1/tickets/{id}/links/{ticket_id}', { path: { id: ticketId, ticket_id: otherId } });
}

/** A new ticket from one message; without a subject, it takes the ticket's. */
export function splitMessage(ticketId: number, messageId: number, subject?: string): Promise<SplitTicket> {
  return api('POST', '/v1/tickets/{id}/messages/{message_id}/split', { path: { id: ticketId, message_id: messageId }, body: subject ? { subject } : {} });
}
