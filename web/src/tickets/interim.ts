//! Interim, until every ticket answer carries `allowed_statuses`: the moves the state machine
//! gives each actor. Goes once the server sends them.

import type { TicketStatus } from '../api/schemas';

const STAFF: Record<TicketStatus, TicketStatus[]> = {
  open: ['in_progress', 'closed'],
  in_progress: ['waiting_customer', 'resolved', 'open'],
  waiting_customer: [],
  resolved: [],
  closed: [],
};

export function interimAllowed(ticket: { status: TicketStatus }, staff: boolean): TicketStatus[] {
  if (staff) return STAFF[ticket.status];
  return ticket.status === 'resolved' ? ['closed', 'in_progress'] : [];
}
