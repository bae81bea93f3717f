/**
 * A queue as the address holds it (`/?view=mine&status=active&q=refund`): which tickets, which
 * filters. The same state builds the API's query and a saved filter, and survives going back
 * from a ticket. A team's queue is its unassigned tickets waiting to be taken
 * (`/?view=unassigned&status=open&team_id=...`). A tag filters any of them (`tag=refund`).
 */

import type { Priority, TicketStatus } from '../../api/schemas';
import { isTag, normaliseTag } from '../tags';

export type ViewId = 'mine' | 'unassigned' | 'all';
export const VIEWS: readonly ViewId[] = ['mine', 'unassigned', 'all'];

/** `active`: everything not yet resolved; `any`: no filter; or one status. */
export type StatusFilter = 'active' | 'any' | TicketStatus;
export const STATUS_FILTERS: readonly StatusFilter[] = ['active', 'any', 'open', 'in_progress', 'waiting_customer', 'resolved', 'closed'];
export const PRIORITIES: readonly Priority[] = ['urgent', 'high', 'medium', 'low'];
export const SLA_FILTERS = ['breached', 'at_risk'] as const;
export type SlaFilter = (typeof SLA_FILTERS)[number];
export const SORTS = ['newest', 'oldest'] as const;
export type Sort = (typeof SORTS)[number];

export interface QueueState {
  view: ViewId;
  status: StatusFilter;
  priority: Priority | '';
  category: string;
  /** A staff member's id (the "all" view only). */
  assignee: string;
  /** Breached or at risk (the API's `sla` filter). */
  sla: SlaFilter | '';
  sort: Sort;
  q: string;
  /** A team's id, `none` for the tickets of no team, or `''` for any (`team_id` in the address,
   * as in the API). */
  team: string;
  /** One tag the tickets hold, as the server keeps it (trimmed, lower-cased), or `''` for any
   * (`tag` in the address, as in the API). */
  tag: string;
}

export const DEFAULT_STATE: QueueState = { view: 'mine', status: 'active', priority: '', category: '', assignee: '', sla: '', sort: 'newest', q: '', team: '', tag: '' };

/** Each part of the state by its name in the address. */
const PARAM: Record<keyof QueueState, string> = {
  view: 'view',
  status: 'status',
  priority: 'priority',
  category: 'category',
  assignee: 'assignee',
  sla: 'sla',
  sort: 'sort',
  q: 'q',
  team: 'team_id',
  tag: 'tag',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CATEGORY = /^[a-z0-9_-]{1,64}$/;

/** Reads what the address says; anything unknown falls back to the default. */
export function parseQueue(query: URLSearchParams): QueueState {
  const view = pick(query.get('view'), VIEWS, DEFAULT_STATE.view);
  const category = query.get('category') ?? '';
  const assignee = query.get('assignee') ?? '';
  const team = query.get(PARAM.team) ?? '';
  const tag = query.get(PARAM.tag) ?? '';
  return {
    view,
    status: pick(query.get('status'), STATUS_FILTERS, DEFAULT_STATE.status),
    priority: pick(query.get('priority'), PRIORITIES, ''),
    category: CATEGORY.test(category) ? category : '',
    assignee: view === 'all' && UUID.test(assignee) ? assignee : '',
    sla: pick(query.get('sla'), SLA_FILTERS, ''),
    sort: pick(query.get('sort'), SORTS, DEFAULT_STATE.sort),
    q: (query.get('q') ?? '').slice(0, 200),
    team: team === 'none' || UUID.test(team) ? team.toLowerCase() : '',
    tag: isTag(tag) ? normaliseTag(tag) : '',
  };
}

/** A team's queue: its tickets nobody has taken yet. */
export function teamQueue(team: string): QueueState {
  return { ...DEFAULT_STATE, view: 'unassigned', status: 'open', team };
}

/** The address of a queue: only what differs from the default, so plain links stay plain. */
export function queueHref(state: QueueState): string {
  const query = new URLSearchParams();
  for (const key of ['view', 'status', 'priority', 'category', 'assignee', 'sla', 'sort', 'q', 'team', 'tag'] as const) {
    const value = state[key].trim();
    if (value && value !== DEFAULT_STATE[key]) query.set(PARAM[key], value);
  }
  const qs = query.toString();
  return qs ? `/?${qs}` : '/';
}

export type { TicketQuery } from '../../data/tickets';
import type { TicketQuery } from '../../data/tickets';

/** The API's filters for a queue, as seen by `me`. */
export function ticketQuery(state: QueueState, me: string): TicketQuery {
  const query: TicketQuery = {};
  if (state.view === 'mine') query.assigned_to = me;
  if (state.view === 'unassigned') query.unassigned = true;
  if (state.view === 'all' && state.assignee) query.assigned_to = state.assignee;
  if (state.status === 'active') query.status = ['open', 'in_progress', 'waiting_customer'];
  else if (state.status !== 'any') query.status = [state.status];
  if (state.priority) query.priority = [state.priority];
  if (state.category) query.category = state.category;
  if (state.sla) query.sla = state.sla;
  if (state.sort !== DEFAULT_STATE.sort) query.sort = state.sort;
  if (state.q.trim()) query.q = state.q.trim();
  if (state.team) query.team_id = state.team;
  if (state.tag) query.tag = [state.tag];
  return query;
}

function pick<T extends string, F extends string>(value: string | null, allowed: readonly T[], fallback: F): T | F {
  return allowed.includes(value as T) ? (value as T) : fallback;
}
