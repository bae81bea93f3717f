//! The status changes staff may ask for (DESIGN.md's state machine, the `agent` actor): the
//! only ones the console offers. A ticket waiting for the customer or resolved moves on by the
//! customer's answer or the clock, never by staff; `closed` is final.

import type { TicketStatus } from '../../api/schemas';

const STAFF: Record<TicketStatus, TicketStatus[]> = {
  // Starting it takes it (the server assigns the caller).
  open: ['in_progress', 'closed'],
  // Back to `open` puts it back in the queue, unassigned.
  in_progress: ['waiting_customer', 'resolved', 'open'],
  waiting_customer: [],
  resolved: [],
  closed: [],
};

export function staffTargets(status: TicketStatus): TicketStatus[] {
  return STAFF[status];
}

/** What a 409 `invalid_transition` says is allowed now, when it says so in the contract's terms. */
export function allowedFrom(extra: Record<string, unknown>): TicketStatus[] | null {
  const allowed = extra.allowed;
  if (!Array.isArray(allowed)) return null;
  const known: TicketStatus[] = ['open', 'in_progress', 'waiting_customer', 'resolved', 'closed'];
  return allowed.filter((s): s is TicketStatus => known.includes(s as TicketStatus));
}

/** Nothing on a closed ticket changes. */
export function isFinal(status: TicketStatus): boolean {
  return status === 'closed';
}
