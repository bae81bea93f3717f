//! Where a ticket stands against its SLA, for staff: the time left on the next target, paused
//! while the customer is awaited, or breached. From a ticket's full SLA state (its page) or from
//! the badge a list carries.

import type { SlaBadge, SlaState, TicketStatus } from '../api/schemas';

export type Target = 'response' | 'resolution';

export type Standing =
  | { kind: 'running'; target: Target; dueAt: Date; atRisk: boolean }
  | { kind: 'paused' }
  | { kind: 'breached'; target: Target }
  | { kind: 'stopped' };

const AT_RISK_SHARE = 0.25;

export function fromState(sla: SlaState, status: TicketStatus, now: Date, targetMinutes?: { response: number; resolution: number }): Standing {
  if (status === 'resolved' || status === 'closed') return { kind: 'stopped' };
  if (status === 'waiting_customer') return { kind: 'paused' };
  const target: Target = sla.first_response_at ? 'resolution' : 'response';
  const dueAt = new Date(target === 'response' ? sla.response_due_at : sla.resolution_due_at);
  const breached = target === 'response' ? sla.response_breached : sla.resolution_breached;
  // The server's checks run on a schedule; a deadline already passed is late.
  if (breached || sla.resolution_breached || dueAt.getTime() <= now.getTime()) return { kind: 'breached', target };
  const minutes = targetMinutes?.[target];
  const atRisk = minutes ? dueAt.getTime() - now.getTime() < minutes * 60_000 * AT_RISK_SHARE : false;
  return { kind: 'running', target, dueAt, atRisk };
}

/** From the badge each item of `GET /v1/tickets` carries. */
export function fromBadge(badge: SlaBadge, now: Date): Standing {
  if (badge.clock === 'stopped') return { kind: 'stopped' };
  if (badge.clock === 'paused') return { kind: 'paused' };
  const target: Target = badge.next ?? 'resolution';
  const breached = target === 'response' ? badge.response_breached : badge.resolution_breached;
  const dueAt = badge.due_at ? new Date(badge.due_at) : null;
  if (breached || badge.resolution_breached || !dueAt || dueAt.getTime() <= now.getTime()) return { kind: 'breached', target };
  return { kind: 'running', target, dueAt, atRisk: badge.at_risk };
}
