/**
 * How many tickets a queue holds, for the sidebar. The API has no count of a queue of its own,
 * so the sidebar reads one page of the tickets not yet resolved (`ACTIVE_LIMIT`, every one the
 * caller sees) and counts each of its queues (mine, unassigned, all, each team's) in it: one
 * request for them all while the page holds them all. When there are more, "all" says "100+"
 * and each other queue is the length of its own first page of `COUNT_LIMIT` tickets ("50+"
 * when there are more). Each is read with the last ETag (a `304` while nothing changed,
 * answered without the database by the tenant's change version) on the live stream's list
 * frames, and polled slowly while the stream is down.
 */

import { ticketListChanged } from '../../data/live';
import { useLive, type Resource } from '../../data/resource';
import { revalidateTickets, type TicketListItem, type TicketQuery } from '../../data/tickets';

export const COUNT_LIMIT = 50;
/** The tickets not yet resolved, read at once for every queue of the sidebar. */
export const ACTIVE_LIMIT = 100;
export const ACTIVE_STATUSES = ['open', 'in_progress', 'waiting_customer'] as const;
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

/** What the sidebar's queues are counted from: the tickets not yet resolved, and whether there
 * are more than those. */
export interface ActiveTickets {
  rows: Pick<TicketListItem, 'assigned_to' | 'status' | 'team_id'>[];
  more: boolean;
}

export function activeOf(page: { data: TicketListItem[]; next_cursor?: string | null }): ActiveTickets {
  return { rows: page.data.map(({ assigned_to, status, team_id }) => ({ assigned_to, status, team_id })), more: Boolean(page.next_cursor) };
}

/** The sidebar's one read of the tickets not yet resolved. */
export function useActiveTickets(): Resource<ActiveTickets> {
  return useLive<ActiveTickets>(
    'queue-count:active',
    async (etag, signal) => {
      const answer = await revalidateTickets({ status: [...ACTIVE_STATUSES] }, ACTIVE_LIMIT, etag, signal);
      return answer.changed ? { changed: true, body: activeOf(answer.body), etag: answer.etag } : answer;
    },
    { follows: ticketListChanged, intervalMs: COUNT_INTERVAL_MS },
  );
}

/** A queue's count from the tickets not yet resolved; `null` when they cannot tell it (there
 * are more than were read, or the queue filters on something else). The queue of every ticket
 * not yet resolved past the page is "100+". */
export function countIn(active: ActiveTickets, query: TicketQuery): QueueCount | null {
  const { assigned_to, unassigned, status, team_id, ...rest } = query;
  if (Object.keys(rest).length) return null;
  const statuses = status === undefined ? null : Array.isArray(status) ? status : [status];
  if (!statuses || !statuses.every((s) => (ACTIVE_STATUSES as readonly string[]).includes(s))) return null;
  const everyActive = statuses.length === ACTIVE_STATUSES.length && assigned_to === undefined && unassigned === undefined && team_id === undefined;
  if (active.more) return everyActive ? { count: active.rows.length, more: true } : null;
  const count = active.rows.filter(
    (row) =>
      statuses.includes(row.status) &&
      (assigned_to === undefined || row.assigned_to === assigned_to) &&
      (unassigned === undefined || !row.assigned_to === unassigned) &&
      (team_id === undefined || (team_id === 'none' ? !row.team_id : row.team_id === team_id)),
  ).length;
  return { count, more: false };
}
