/**
 * Views (saved filters the server keeps) and the queue's address, both ways: the queue shown is
 * saved as the `GET /v1/tickets` filters it asks for (`ticketQuery`, so a view finds exactly the
 * tickets the queue showed), and a view's link opens the queue with its filters and its order.
 * A view made elsewhere may hold filters the queue has no control for (several priorities, a
 * customer, `tag_any`...): its link opens the nearest queue, and its count is the server's.
 */

import type { ViewSort } from '../../api/schemas';
import { parseQueue, queueHref, ticketQuery, type QueueState } from './views';

/** A view's `filters`: each a string, or a list of strings for the repeatable ones. */
export type ViewFilters = Record<string, string | string[]>;

/** The filters the API takes as a list in a view. */
const REPEATABLE = ['status', 'priority', 'tag', 'tag_any', 'no_tag'];

/** The statuses of the `active` queue, as `ticketQuery` asks for them. */
const ACTIVE = ['open', 'in_progress', 'waiting_customer'];

/** The view's `filters` and `sort` for the queue `state` as seen by `me`. */
export function viewOfQueue(state: QueueState, me: string): { filters: ViewFilters; sort: ViewSort } {
  const filters: ViewFilters = {};
  for (const [name, value] of Object.entries(ticketQuery(state, me))) {
    if (name === 'sort' || value === undefined || value === null) continue;
    if (Array.isArray(value)) filters[name] = value.map(String);
    else if (REPEATABLE.includes(name)) filters[name] = String(value).split(',');
    else filters[name] = String(value);
  }
  return { filters, sort: state.sort };
}

/** The queue a view's link opens for `me`: the person it is assigned to says which queue (mine,
 * unassigned, or all with that assignee), the rest are the queue's filters; what the queue has
 * no control for is left out (`parseQueue` checks every value, as for any address). */
export function queueOfView(view: { filters: Record<string, unknown>; sort: ViewSort }, me: string): QueueState {
  const one = (name: string) => values(view.filters[name])[0] ?? '';
  const query = new URLSearchParams();
  const assignee = one('assigned_to');
  if (assignee && assignee.toLowerCase() === me.toLowerCase()) query.set('view', 'mine');
  else if (one('unassigned') === 'true') query.set('view', 'unassigned');
  else {
    query.set('view', 'all');
    if (assignee) query.set('assignee', assignee);
  }
  const statuses = values(view.filters.status);
  if (!statuses.length) query.set('status', 'any');
  else if (statuses.length === 1) query.set('status', statuses[0] ?? '');
  else query.set('status', sameSet(statuses, ACTIVE) ? 'active' : 'any');
  const priorities = values(view.filters.priority);
  if (priorities.length === 1) query.set('priority', priorities[0] ?? '');
  for (const [name, param] of [['category', 'category'], ['sla', 'sla'], ['q', 'q'], ['team_id', 'team_id'], ['tag', 'tag']] as const) {
    const value = one(name);
    if (value) query.set(param, value);
  }
  query.set('sort', view.sort);
  return parseQueue(query);
}

/** The address of a view's queue for `me`. */
export function viewHref(view: { filters: Record<string, unknown>; sort: ViewSort }, me: string): string {
  return queueHref(queueOfView(view, me));
}

/** A filter's values: a list, or one string (commas separating several, as in the API's query). */
function values(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return list.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter(Boolean);
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v) => b.includes(v));
}
