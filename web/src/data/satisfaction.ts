/**
 * Customer satisfaction: a customer rates a resolution (in the portal, or from the resolution
 * mail's links with no sign-in), staff read the ratings beside a ticket and admins the report.
 */

import { api } from '../api';
import type { QueryParams, ResponseBody } from '../api/types';

export type Rating = ResponseBody<'POST', '/v1/tickets/{id}/satisfaction'>;
/** Whether the customer may rate the ticket's resolution now, and its rating once given. */
export type TicketSatisfaction = ResponseBody<'GET', '/v1/tickets/{id}/satisfaction'>;
/** What a mail's rating link is about: the ticket, and its rating once given. */
export type RatingLink = ResponseBody<'GET', '/v1/satisfaction'>;
export type SatisfactionReport = ResponseBody<'GET', '/v1/reports/satisfaction'>;
export type ReportQuery = NonNullable<QueryParams<'GET', '/v1/reports/satisfaction'>>;

export function ticketSatisfaction(ticketId: number, signal?: AbortSignal): Promise<TicketSatisfaction> {
  return api('GET', '/v1/tickets/{id}/satisfaction', { path: { id: ticketId }, signal });
}

export function rateTicket(ticketId: number, rating: number, comment?: string): Promise<Rating> {
  const text = comment?.trim();
  return api('POST', '/v1/tickets/{id}/satisfaction', { path: { id: ticketId }, body: { rating, ...(text ? { comment: text } : {}) } });
}

/** The token comes from the resolution mail's link: no session, the host names the tenant. */
export function ratingLink(token: string, signal?: AbortSignal): Promise<RatingLink> {
  return api('GET', '/v1/satisfaction', { query: { token }, auth: false, signal });
}

/** Records the rating (201); the same token may come back once with a comment while the recorded
 * rating has none (200, the first rating stands). */
export function rateByLink(token: string, rating: number, comment?: string): Promise<Rating> {
  const text = comment?.trim();
  return api('POST', '/v1/satisfaction', { body: { token, rating, ...(text ? { comment: text } : {}) }, auth: false });
}

/** The server's default: the last 30 days, by week. */
export function satisfactionReport(query: ReportQuery = {}, signal?: AbortSignal): Promise<SatisfactionReport> {
  return api('GET', '/v1/reports/satisfaction', { query, signal });
}
