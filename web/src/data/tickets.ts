/**
 * Tickets: the lists, one ticket, and every change made to one. Each answer carries what the
 * server decides about it (its SLA badge, the moves the caller may make).
 */

import { api, revalidate, type Revalidated } from '../api';
import type { TicketStatus } from '../api/schemas';
import type { JsonBody, QueryParams, ResponseBody } from '../api/types';
import { allPages, type Page } from './pages';

export type TicketQuery = Omit<NonNullable<QueryParams<'GET', '/v1/tickets'>>, 'limit' | 'cursor'>;
export type TicketList = ResponseBody<'GET', '/v1/tickets'>;
export type TicketListItem = TicketList['data'][number];
export type TicketView = ResponseBody<'GET', '/v1/tickets/{id}'>;
/** Custom fields' values by key, as sent: `null` clears one (the contract calls them an object). */
export type FieldValues = Record<string, string | number | boolean | string[] | null>;
export type NewTicket = Omit<JsonBody<'POST', '/v1/tickets'>, 'fields'> & { fields?: FieldValues };
export type TicketChanges = Omit<JsonBody<'PATCH', '/v1/tickets/{id}'>, 'fields'> & { fields?: FieldValues };
export type HistoryEntry = ResponseBody<'GET', '/v1/tickets/{id}/history'>['data'][number];
/** The ticket's customer as staff see them beside the thread: their other tickets, orders and ratings. */
export type TicketCustomer = ResponseBody<'GET', '/v1/tickets/{id}/customer'>;

/** A ticket's history is read whole, a hundred entries at a time, up to this many pages. */
const MAX_HISTORY_PAGES = 20;
/** A ticket looked for by its number among the newest ones, a hundred at a time, up to this many pages. */
const NUMBER_SCAN_PAGES = 5;

export function listTickets(query: TicketQuery, page: { limit: number; cursor?: string }, signal?: AbortSignal): Promise<TicketList> {
  return api('GET', '/v1/tickets', { query: { ...query, ...page }, signal });
}

/** The head of a list again, `changed: false` while the answer tagged `etag` is current. */
export function revalidateTickets(query: TicketQuery, limit: number, etag: string | null, signal?: AbortSignal): Promise<Revalidated<TicketList>> {
  return revalidate('/v1/tickets', etag, { query: { ...query, limit }, signal });
}

export function getTicket(id: number, signal?: AbortSignal): Promise<TicketView> {
  return api('GET', '/v1/tickets/{id}', { path: { id }, signal });
}

export function revalidateTicket(id: number, etag: string | null, signal?: AbortSignal): Promise<Revalidated<TicketView>> {
  return revalidate('/v1/tickets/{id}', etag, { path: { id }, signal });
}

/** What a ticket's page shows beside it, brought with it (`?include=`). */
export type TicketParts = NonNullable<TicketView['included']>;
/** The parts a page asks for with the ticket (`links` and `customer` are staff's). */
export const STAFF_PARTS = 'messages,links,customer';

/** The ticket with `include`'s parts (`included`), in one request. */
export function getTicketWith(id: number, include: string, signal?: AbortSignal): Promise<TicketView> {
  return api('GET', '/v1/tickets/{id}', { path: { id }, query: { include }, signal });
}

export function createTicket(ticket: NewTicket) {
  return api('POST', '/v1/tickets', { body: ticket as JsonBody<'POST', '/v1/tickets'> });
}

/** `fields` is merged into what the ticket holds; it is all a customer may change. */
export function updateTicket(id: number, changes: TicketChanges) {
  return api('PATCH', '/v1/tickets/{id}', { path: { id }, body: changes as JsonBody<'PATCH', '/v1/tickets/{id}'> });
}

/** `null` puts the ticket back in the queue. */
export function assignTicket(id: number, to: string | null) {
  return api('POST', '/v1/tickets/{id}/assign', { path: { id }, body: { assigned_to: to } });
}

/** The ticket in its new status; with `children_left`, the children a resolution could not take along. */
export type StatusChanged = ResponseBody<'POST', '/v1/tickets/{id}/status'>;

/** `resolveChildren`, with a move to Resolved: its open children are resolved too, as far as each
 * one's status allows (the answer's `children_left` names the others). */
export function changeStatus(id: number, to: TicketStatus, reason?: string, options: { resolveChildren?: boolean } = {}): Promise<StatusChanged> {
  const why = reason?.trim();
  const children = options.resolveChildren && to === 'resolved' ? { resolve_children: true } : {};
  return api('POST', '/v1/tickets/{id}/status', { path: { id }, body: { status: to, ...(why ? { reason: why } : {}), ...children } });
}

/** The ticket numbered `number` among the newest the caller may see (the API finds a ticket by
 * its id only), or `undefined`. */
export async function findTicketByNumber(number: string, signal?: AbortSignal): Promise<TicketListItem | undefined> {
  let cursor: string | undefined;
  for (let n = 0; n < NUMBER_SCAN_PAGES; n += 1) {
    const page = await listTickets({}, { limit: 100, cursor }, signal);
    const found = page.data.find((ticket) => ticket.ticket_number === number);
    if (found || !page.next_cursor) return found;
    cursor = page.next_cursor;
  }
  return undefined;
}

export function ticketHistory(id: number, signal?: AbortSignal): Promise<HistoryEntry[]> {
  return allPages((cursor) => api('GET', '/v1/tickets/{id}/history', { path: { id }, query: { limit: 100, cursor }, signal }), MAX_HISTORY_PAGES);
}

/** Staff only. */
export function ticketCustomer(id: number, signal?: AbortSignal): Promise<TicketCustomer> {
  return api('GET', '/v1/tickets/{id}/customer', { path: { id }, signal });
}

export type { Page };
