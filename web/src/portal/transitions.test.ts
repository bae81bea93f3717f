import { describe, expect, it } from 'vitest';
import { acceptsReplies, customerActions } from './transitions';

describe('customerActions', () => {
  it('offers confirming and reopening a resolved ticket', () => {
    expect(customerActions('resolved').map((a) => [a.kind, a.to])).toEqual([
      ['confirm', 'closed'],
      ['reopen', 'in_progress'],
    ]);
  });

  it.each(['open', 'in_progress', 'waiting_customer', 'closed'] as const)('offers nothing on %s', (status) => {
    expect(customerActions(status)).toEqual([]);
  });
});

describe('acceptsReplies', () => {
  it('refuses replies on closed tickets only', () => {
    expect(acceptsReplies('closed')).toBe(false);
    expect(acceptsReplies('waiting_customer')).toBe(true);
    expect(acceptsReplies('resolved')).toBe(true);
  });
});
