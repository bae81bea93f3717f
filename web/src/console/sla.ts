//! Interim: a ticket's SLA state read as the list's badge, until the ticket carries the badge
//! itself. Goes once the server sends it.

import type { SlaBadge, SlaState, TicketStatus } from '../api/schemas';

export function badgeOfState(sla: SlaState, status: TicketStatus, now: Date): SlaBadge {
  const clock = status === 'resolved' || status === 'closed' ? 'stopped' : status === 'waiting_customer' ? 'paused' : 'running';
  const next = sla.first_response_at ? 'resolution' : 'response';
  const due = next === 'response' ? sla.response_due_at : sla.resolution_due_at;
  const late = new Date(due).getTime() <= now.getTime();
  return {
    clock,
    next: clock === 'running' ? next : null,
    due_at: clock === 'running' ? due : null,
    response_breached: sla.response_breached || (next === 'response' && late),
    resolution_breached: sla.resolution_breached || (next === 'resolution' && late),
    at_risk: false,
  };
}
