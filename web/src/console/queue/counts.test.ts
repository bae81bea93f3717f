import { describe, expect, it } from 'vitest';
import { countIn, countOf, countText, type ActiveTickets } from './counts';

describe('queue counts', () => {
  it('count the first page, and say when there are more', () => {
    expect(countText(countOf({ data: [] }))).toBe('0');
    expect(countText(countOf({ data: [1, 2, 3], next_cursor: null }))).toBe('3');
    expect(countText(countOf({ data: Array.from({ length: 50 }), next_cursor: 'abc' }))).toBe('50+');
  });
});

describe('the sidebar counted from the tickets not yet resolved', () => {
  const me = 'a0000000-0000-4000-8000-000000000001';
  const other = 'a0000000-0000-4000-8000-000000000002';
  const team = 'b0000000-0000-4000-8000-000000000001';
  const active = ['open', 'in_progress', 'waiting_customer'];
  const rows = [
    { assigned_to: me, status: 'in_progress', team_id: null },
    { assigned_to: other, status: 'waiting_customer', team_id: team },
    { assigned_to: null, status: 'open', team_id: team },
    { assigned_to: null, status: 'open', team_id: null },
  ] as ActiveTickets['rows'];

  it('counts each queue from one page that holds them all', () => {
    const all = { rows, more: false };
    expect(countIn(all, { assigned_to: me, status: active })).toEqual({ count: 1, more: false });
    expect(countIn(all, { unassigned: true, status: active })).toEqual({ count: 2, more: false });
    expect(countIn(all, { status: active })).toEqual({ count: 4, more: false });
    expect(countIn(all, { unassigned: true, status: ['open'], team_id: team })).toEqual({ count: 1, more: false });
  });

  it('cannot tell a queue past the page, nor one filtered on something else', () => {
    const more = { rows, more: true };
    expect(countIn(more, { status: active })).toEqual({ count: 4, more: true });
    expect(countIn(more, { assigned_to: me, status: active })).toBeNull();
    expect(countIn({ rows, more: false }, { status: ['resolved'] })).toBeNull();
    expect(countIn({ rows, more: false }, { status: active, q: 'refund' })).toBeNull();
  });
});
