import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, parseQueue, queueHref, ticketQuery } from './views';

const me = '0b6f1c1e-8f7a-4d2b-9a51-2f1f3c4d5e6f';
const other = '1c7a2d2f-9a8b-4e3c-8b62-3a2b4c5d6e7f';

describe('parseQueue', () => {
  it('reads the address and ignores what it does not know', () => {
    const query = new URLSearchParams({ view: 'all', status: 'resolved', priority: 'urgent', category: 'refund', assignee: other, sla: 'breached', sort: 'oldest', q: 'parcel' });
    expect(parseQueue(query, true)).toEqual({ view: 'all', status: 'resolved', priority: 'urgent', category: 'refund', assignee: other, sla: 'breached', sort: 'oldest', q: 'parcel' });
    const bad = new URLSearchParams({ view: 'nope', status: 'done', priority: 'asap', category: 'Not A Category', assignee: 'x', sla: 'late', sort: 'random' });
    expect(parseQueue(bad, true)).toEqual(DEFAULT_STATE);
  });

  it('keeps agents out of the all view', () => {
    expect(parseQueue(new URLSearchParams({ view: 'all' }), false).view).toBe('mine');
  });
});

describe('queueHref', () => {
  it('writes only what differs from the default, and reads back the same', () => {
    expect(queueHref(DEFAULT_STATE)).toBe('/');
    const state = { ...DEFAULT_STATE, view: 'unassigned' as const, q: 'late parcel' };
    expect(queueHref(state)).toBe('/?view=unassigned&q=late+parcel');
    expect(parseQueue(new URLSearchParams(queueHref(state).slice(2)), false)).toEqual(state);
  });
});

describe('ticketQuery', () => {
  it('turns each view into the API filters', () => {
    expect(ticketQuery(DEFAULT_STATE, me)).toEqual({ assigned_to: me, status: 'open,in_progress,waiting_customer' });
    expect(ticketQuery({ ...DEFAULT_STATE, view: 'unassigned', status: 'any' }, me)).toEqual({ unassigned: true });
    expect(ticketQuery({ ...DEFAULT_STATE, view: 'all', status: 'closed', assignee: other, priority: 'high', category: 'refund', sla: 'at_risk', sort: 'oldest', q: ' box ' }, me)).toEqual({
      assigned_to: other,
      status: 'closed',
      priority: 'high',
      category: 'refund',
      sla: 'at_risk',
      sort: 'oldest',
      q: 'box',
    });
  });
});
