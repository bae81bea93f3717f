//! What a customer may do to their ticket's status (DESIGN.md, state machine): confirm a
//! resolution (resolved -> closed) or reopen it (resolved -> in_progress). Everything else is
//! the staff's, or happens on its own (a reply moves waiting_customer back to in_progress).

import type { TicketStatus } from '../api/schemas';

export type CustomerAction = { kind: 'confirm'; to: 'closed' } | { kind: 'reopen'; to: 'in_progress' };

export function customerActions(status: TicketStatus): CustomerAction[] {
  switch (status) {
    case 'resolved':
      return [
        { kind: 'confirm', to: 'closed' },
        { kind: 'reopen', to: 'in_progress' },
      ];
    case 'open':
    case 'in_progress':
    case 'waiting_customer':
    case 'closed':
      return [];
  }
}

/** Nothing on a closed ticket changes: no replies, no files. */
export function acceptsReplies(status: TicketStatus): boolean {
  return status !== 'closed';
}
