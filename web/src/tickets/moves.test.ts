import { describe, expect, it } from 'vitest';
import type { TicketStatus } from '../api/schemas';
import { setLocale } from '../i18n';
import { acceptsReplies, allowedFrom, canSendAnd, customerMoves, staffMoves } from './moves';

setLocale('en');

describe('customerMoves', () => {
  it('offers confirming when closing is allowed and reopening when in_progress is', () => {
    expect(customerMoves(['closed', 'in_progress'])).toEqual([
      { kind: 'confirm', to: 'closed' },
      { kind: 'reopen', to: 'in_progress' },
    ]);
    expect(customerMoves(['in_progress'])).toEqual([{ kind: 'reopen', to: 'in_progress' }]);
    expect(customerMoves(['closed'])).toEqual([{ kind: 'confirm', to: 'closed' }]);
  });

  it('offers nothing the server does not allow, whatever the status', () => {
    expect(customerMoves([])).toEqual([]);
    expect(customerMoves(['open', 'resolved', 'waiting_customer'])).toEqual([]);
  });
});

describe('staffMoves', () => {
  const buttons = (status: TicketStatus, allowed: TicketStatus[]) => staffMoves({ status, allowed_statuses: allowed }).map((m) => [m.to, m.label, m.secondary]);

  it('offers exactly the allowed moves, in the server order, with their own words', () => {
    expect(buttons('open', ['in_progress', 'closed'])).toEqual([
      ['in_progress', 'Start working on it', false],
      ['closed', 'Close as invalid or duplicate', true],
    ]);
    expect(buttons('in_progress', ['waiting_customer', 'resolved', 'open'])).toEqual([
      ['waiting_customer', 'Wait for the customer', false],
      ['resolved', 'Resolve', false],
      ['open', 'Put back in the queue', false],
    ]);
  });

  it('offers nothing when nothing is allowed, and names moves it has no words for by their status', () => {
    expect(buttons('waiting_customer', [])).toEqual([]);
    expect(buttons('resolved', ['in_progress'])).toEqual([['in_progress', 'Reopen', false]]);
    expect(buttons('waiting_customer', ['open'])).toEqual([['open', 'Move to Open', false]]);
    // An admin the server lets close a resolved ticket.
    expect(buttons('resolved', ['closed'])).toEqual([['closed', 'Move to Closed', true]]);
  });
});

describe('canSendAnd', () => {
  it('offers a reply that sets a status on a ticket being worked on or nobody holds, never on one waiting, resolved or closed', () => {
    expect(canSendAnd('open', 'resolved')).toBe(true);
    expect(canSendAnd('in_progress', 'waiting_customer')).toBe(true);
    expect(canSendAnd('waiting_customer', 'resolved')).toBe(false);
    expect(canSendAnd('resolved', 'waiting_customer')).toBe(false);
    expect(canSendAnd('closed', 'resolved')).toBe(false);
  });
});

describe('allowedFrom', () => {
  it('reads the allowed statuses of a refusal', () => {
    expect(allowedFrom({ allowed: ['resolved', 'bogus', 'open'] })).toEqual(['resolved', 'open']);
    expect(allowedFrom({})).toBeNull();
  });
});

describe('acceptsReplies', () => {
  it('refuses replies on closed tickets only', () => {
    expect(acceptsReplies({ status: 'closed' })).toBe(false);
    expect(acceptsReplies({ status: 'waiting_customer' })).toBe(true);
    expect(acceptsReplies({ status: 'resolved' })).toBe(true);
  });
});
