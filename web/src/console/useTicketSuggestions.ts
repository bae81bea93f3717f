/**
 * Tickets suggested while linking one to another: once words are typed, the tickets the search
 * finds for them (`GET /v1/tickets?q=`), then the customer's other tickets; the search read once
 * typing pauses and only while `wanted` (the field has had the focus); offered as a `<datalist>`
 * of their numbers. Suggestions are a help: a failure offers none, and the field works the same.
 */

import { useEffect, useState } from 'preact/hooks';
import { listTickets, ticketCustomer } from '../data/tickets';
import { parseTicketRef } from './links';
import { usePausedSearch } from './usePausedSearch';

/** How many tickets one search suggests. */
const SUGGESTED = 10;

export interface TicketSuggestion {
  id: number;
  ticket_number: string;
  subject: string;
}

/** The suggestions for `typed` on ticket `ticketId`, without `exclude` (the ticket itself, the
 * ones linked already). */
export function useTicketSuggestions(ticketId: number, typed: string, wanted: boolean, exclude: ReadonlySet<number>): TicketSuggestion[] {
  const [others, setOthers] = useState<TicketSuggestion[]>([]);
  const words = typed.trim();
  // A number or an id names its ticket already; a letter alone finds too much.
  const searched = words.length >= 2 && parseTicketRef(words) === null ? words : '';

  useEffect(() => {
    if (!wanted) return;
    const controller = new AbortController();
    ticketCustomer(ticketId, controller.signal).then(
      (customer) => {
        if (!controller.signal.aborted) setOthers(customer.tickets.map(({ id, ticket_number, subject }) => ({ id, ticket_number, subject })));
      },
      () => undefined,
    );
    return () => controller.abort();
  }, [ticketId, wanted]);

  const found = usePausedSearch(wanted && searched ? searched : null, async (q, signal) => {
    const page = await listTickets({ q }, { limit: SUGGESTED }, signal);
    return page.data.map(({ id, ticket_number, subject }) => ({ id, ticket_number, subject }));
  });

  const seen = new Set<number>();
  return [...found, ...others].filter((ticket) => {
    if (exclude.has(ticket.id) || seen.has(ticket.id)) return false;
    seen.add(ticket.id);
    return true;
  });
}
