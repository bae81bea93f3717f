//! How many tickets a queue holds, for the sidebar: the API has no count of its own, so a count
//! is the length of the queue's first page of `COUNT_LIMIT` tickets ("50+" when there are more).
//! It is read with the last ETag (a `304` while nothing changed, answered without the database
//! by the tenant's change version) on the live stream's list frames, and polled slowly while
//! the stream is down.

import { ticketListChanged } from '../../data/live';
import { useLive } from '../../data/resource';
import { revalidateTickets, type TicketQuery } from '../../data/tickets';

export const COUNT_LIMIT = 50;
/** How often the counts are polled while the live stream is down. */
export const COUNT_INTERVAL_MS = 30_000;

export interface QueueCount {
  /** Tickets counted, at most `COUNT_LIMIT`. */
  count: number;
  /** Whether there are more than those. */
  more: boolean;
}

export function countOf(page: { data: unknown[]; next_cursor?: string | null }): QueueCount {
  return { count: page.data.length, more: Boolean(page.next_cursor) };
}

/** The number as shown: "7", or "50+" past the limit. */
export function countText({ count, more }: QueueCount): string {
  return more ? `${count}+` : String(count);
}

export function useQueueCount(query: TicketQuery) {
  return useLive<QueueCount>(
    `queue-count:${JSON.stringify(query)}`,
    async (etag, signal) => {
      const answer = await revalidateTickets(query, COUNT_LIMIT, etag, signal);
      return answer.changed ? { changed: true, body: countOf(answer.body), etag: answer.etag } : answer;
    },
    { follows: ticketListChanged, intervalMs: COUNT_INTERVAL_MS },
  );
}
