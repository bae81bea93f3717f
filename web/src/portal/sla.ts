//! Where a ticket stands against its service targets, reduced to what a customer needs to know:
//! the next promise (a first reply, then a resolution) and whether it holds.

import type { SlaBadge, SlaState, TicketStatus } from '../api/schemas';

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

/** The same standing from a list item's SLA badge (the list carries the badge, not the state). */
export function badgeStanding(badge: SlaBadge, now: Date): SlaStanding {
  if (badge.clock === 'stopped') return { kind: 'done' };
  if (badge.clock === 'paused') return { kind: 'paused' };
  const target = badge.next ?? 'resolution';
  const breached = target === 'response' ? badge.response_breached : badge.resolution_breached;
  const dueAt = badge.due_at ? new Date(badge.due_at) : null;
  if (breached || badge.resolution_breached || !dueAt || dueAt.getTime() <= now.getTime()) return { kind: 'breached', target };
  return { kind: 'due', target, dueAt, soon: badge.at_risk || dueAt.getTime() - now.getTime() < SOON_MS };
}
