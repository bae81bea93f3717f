//! Where a ticket stands against its service targets, reduced to what a customer needs to know:
//! the next promise (a first reply, then a resolution) and whether it holds.

import type { SlaState, Ticket, TicketStatus } from '../api/schemas';

export type SlaStanding =
  | { kind: 'breached'; target: 'response' | 'resolution' }
  | { kind: 'paused' }
  | { kind: 'done' }
  | { kind: 'due'; target: 'response' | 'resolution'; dueAt: Date; soon: boolean };

const SOON_MS = 60 * 60 * 1000;

export function slaStanding(sla: SlaState, status: TicketStatus, now: Date): SlaStanding {
  if (status === 'resolved' || status === 'closed') return { kind: 'done' };
  if (status === 'waiting_customer') return { kind: 'paused' };
  const target = sla.first_response_at ? 'resolution' : 'response';
  const breached = target === 'response' ? sla.response_breached : sla.resolution_breached;
  const dueAt = new Date(target === 'response' ? sla.response_due_at : sla.resolution_due_at);
  // The server's checks run on a schedule; a passed deadline is late already.
  if (breached || sla.resolution_breached || dueAt.getTime() <= now.getTime()) return { kind: 'breached', target };
  return { kind: 'due', target, dueAt, soon: dueAt.getTime() - now.getTime() < SOON_MS };
}

/** The SLA state and unread count of a ticket in a list, when the list carries them. */
export function listExtras(ticket: Ticket): { sla: SlaState | null; unread: number | null } {
  const extra = ticket as Ticket & { sla?: unknown; unread_count?: unknown };
  const sla = isSla(extra.sla) ? extra.sla : null;
  const unread = typeof extra.unread_count === 'number' ? extra.unread_count : null;
  return { sla, unread };
}

function isSla(value: unknown): value is SlaState {
  return typeof value === 'object' && value !== null && 'response_due_at' in value && 'resolution_due_at' in value;
}
