/**
 * The status moves a page offers: exactly those the server lists in the ticket's
 * `allowed_statuses` (its state machine and the caller's role), named for the person making
 * them. Nothing here knows the state machine.
 */

import type { TicketStatus } from '../api/schemas';
import { t, type MessageKey } from '../i18n';
import { STATUS_LABEL } from './badges';

const STATUSES: readonly TicketStatus[] = ['open', 'in_progress', 'waiting_customer', 'resolved', 'closed'];

/** A customer's two moves on a resolved ticket: confirm the resolution, or reopen it. */
export type CustomerMove = { kind: 'confirm'; to: 'closed' } | { kind: 'reopen'; to: 'in_progress' };

export function customerMoves(allowed: readonly TicketStatus[]): CustomerMove[] {
  const moves: CustomerMove[] = [];
  if (allowed.includes('closed')) moves.push({ kind: 'confirm', to: 'closed' });
  if (allowed.includes('in_progress')) moves.push({ kind: 'reopen', to: 'in_progress' });
  return moves;
}

/** A button of the console's status panel. */
export interface StaffMove {
  to: TicketStatus;
  label: string;
  /** Closing is offered quietly, beside the moves that carry the work on. */
  secondary: boolean;
}

/** Staff are offered every allowed move, in the server's order. */
export function staffMoves(ticket: { status: TicketStatus; allowed_statuses: readonly TicketStatus[] }): StaffMove[] {
  return ticket.allowed_statuses
    .filter((to) => STATUSES.includes(to) && to !== ticket.status)
    .map((to) => ({ to, label: moveLabel(ticket.status, to), secondary: to === 'closed' }));
}

const MOVE: Record<string, MessageKey> = {
  'open>in_progress': 'console.move.start',
  'open>closed': 'console.move.close',
  'in_progress>waiting_customer': 'console.move.wait',
  'in_progress>resolved': 'console.move.resolve',
  'in_progress>open': 'console.move.requeue',
  'resolved>in_progress': 'console.move.reopen',
};

/** A staff move's button: its own words where it has them, else "Move to {status}". */
export function moveLabel(from: TicketStatus, to: TicketStatus): string {
  const key = MOVE[`${from}>${to}`];
  return key ? t(key) : t('console.move.to', { status: t(STATUS_LABEL[to]) });
}

/** Whether a staff reply on a ticket in `status` may set `to` as it goes ("Send and resolve"):
 * a ticket being worked on, or one nobody holds yet (the sender then takes it). */
export function canSendAnd(status: TicketStatus, to: TicketStatus): boolean {
  return (status === 'open' || status === 'in_progress') && to !== status;
}

/** What a 409 `invalid_transition` says is allowed now, when it says so in the contract's terms. */
export function allowedFrom(extra: Record<string, unknown>): TicketStatus[] | null {
  const allowed = extra.allowed;
  if (!Array.isArray(allowed)) return null;
  return allowed.filter((s): s is TicketStatus => STATUSES.includes(s as TicketStatus));
}

/** A closed ticket is final: the server refuses replies and files on it (`ticket_closed`). */
export function acceptsReplies(ticket: { status: TicketStatus }): boolean {
  return ticket.status !== 'closed';
}
