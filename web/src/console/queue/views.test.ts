import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, parseQueue, queueHref, teamQueue, ticketQuery } from './views';

const me = '0b6f1c1e-8f7a-4d2b-9a51-2f1f3c4d5e6f';
const other = '1c7a2d2f-9a8b-4e3c-8b62-3a2b4c5d6e7f';
const billing = '2d8b3e3a-0b9c-4f4d-9c73-4b3c5d6e7f80';

describe('parseQueue', () => {
  it('reads the address and ignores what it does not know', () => {
    const query = new URLSearchParams({ view: 'all', status: 'resolved', priority: 'urgent', category: 'refund', assignee: other, sla: 'breached', sort: 'oldest', q: 'parcel', team_id: billing, tag: 'vip:gold' });
    expect(parseQueue(query)).toEqual({ view: 'all', status: 'resolved', priority: 'urgent', category: 'refund', assignee: other, sla: 'breached', sort: 'oldest', q: 'parcel', team: billing, tag: 'vip:gold' });
    const bad = new URLSearchParams({ view: 'nope', status: 'done', priority: 'asap', category: 'Not A Category', assignee: 'x', sla: 'late', sort: 'random', team_id: 'billing', tag: 'two words' });
    expect(parseQueue(bad)).toEqual(DEFAULT_STATE);
  });

  it('reads a team, or no team, from team_id', () => {
    expect(parseQueue(new URLSearchParams({ team_id: 'none' })).team).toBe('none');
    expect(parseQueue(new URLSearchParams({ team_id: billing.toUpperCase() })).team).toBe(billing);
    expect(parseQueue(new URLSearchParams({ team: billing })).team).toBe('');
  });

  it('opens the all view to every staff member: the server lists what the organisation lets each see', () => {
    expect(parseQueue(new URLSearchParams({ view: 'all' })).view).toBe('all');
  });
});

describe('queueHref', () => {
  it('writes only what differs from the default, and reads back the same', () => {
    expect(queueHref(DEFAULT_STATE)).toBe('/');
    const state = { ...DEFAULT_STATE, view: 'unassigned' as const, q: 'late parcel' };
    expect(queueHref(state)).toBe('/?view=unassigned&q=late+parcel');
    expect(parseQueue(new URLSearchParams(queueHref(state).slice(2)))).toEqual(state);
  });
});

describe('the tag filter', () => {
  it('is kept in the address as the API reads it, and reads back the same', () => {
    const state = { ...DEFAULT_STATE, view: 'all' as const, tag: 'carrier-late' };
    expect(queueHref(state)).toBe('/?view=all&tag=carrier-late');
    expect(parseQueue(new URLSearchParams(queueHref(state).slice(2)))).toEqual(state);
    expect(ticketQuery(state, me)).toEqual({ status: ['open', 'in_progress', 'waiting_customer'], tag: ['carrier-late'] });
  });

  it('reads a tag as the server would, trimmed and lower-cased, and drops what is not one', () => {
    expect(parseQueue(new URLSearchParams({ tag: ' VIP:Gold ' })).tag).toBe('vip:gold');
    for (const bad of ['two words', '-late', '', 'x'.repeat(51), 'café']) expect(parseQueue(new URLSearchParams({ tag: bad })).tag, bad).toBe('');
    expect(parseQueue(new URLSearchParams({ tag: 'x'.repeat(50) })).tag).toBe('x'.repeat(50));
  });

  it('adds to any other filter, a team’s queue included', () => {
    const state = { ...teamQueue(billing), tag: 'refund' };
    expect(queueHref(state)).toBe(`/?view=unassigned&status=open&team_id=${billing}&tag=refund`);
    expect(ticketQuery(state, me)).toEqual({ unassigned: true, status: ['open'], team_id: billing, tag: ['refund'] });
  });
});

describe('teamQueue', () => {
  it('is the team’s unassigned tickets waiting to be taken, in the address and for the API', () => {
    const state = teamQueue(billing);
    expect(queueHref(state)).toBe(`/?view=unassigned&status=open&team_id=${billing}`);
    expect(parseQueue(new URLSearchParams(queueHref(state).slice(2)))).toEqual(state);
    expect(ticketQuery(state, me)).toEqual({ unassigned: true, status: ['open'], team_id: billing });
  });

  it('filters any view by a team or by no team', () => {
    expect(ticketQuery({ ...DEFAULT_STATE, team: 'none' }, me)).toEqual({ assigned_to: me, status: ['open', 'in_progress', 'waiting_customer'], team_id: 'none' });
    expect(queueHref({ ...DEFAULT_STATE, team: 'none' })).toBe('/?team_id=none');
  });
});

describe('ticketQuery', () => {
  it('turns each view into the API filters', () => {
    expect(ticketQuery(DEFAULT_STATE, me)).toEqual({ assigned_to: me, status: ['open', 'in_progress', 'waiting_customer'] });
    expect(ticketQuery({ ...DEFAULT_STATE, view: 'unassigned', status: 'any' }, me)).toEqual({ unassigned: true });
    expect(ticketQuery({ ...DEFAULT_STATE, view: 'all', status: 'closed', assignee: other, priority: 'high', category: 'refund', sla: 'at_risk', sort: 'oldest', q: ' box ' }, me)).toEqual({
      assigned_to: other,
      status: ['closed'],
      priority: ['high'],
      category: 'refund',
      sla: 'at_risk',
      sort: 'oldest',
      q: 'box',
    });
  });
});
