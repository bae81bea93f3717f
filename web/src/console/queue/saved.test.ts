import { describe, expect, it } from 'vitest';
import { queueOfView, viewHref, viewOfQueue } from './saved';
import { DEFAULT_STATE, type QueueState } from './views';

const ME = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const TEAM = '33333333-3333-4333-8333-333333333333';

describe('a queue saved as a view', () => {
  it('asks for what the queue asks for, lists for the repeatable filters', () => {
    const state: QueueState = { ...DEFAULT_STATE, priority: 'urgent', category: 'refund', tag: 'vip:gold', q: ' remboursement ', sort: 'oldest' };
    expect(viewOfQueue(state, ME)).toEqual({
      filters: { assigned_to: ME, status: ['open', 'in_progress', 'waiting_customer'], priority: ['urgent'], category: 'refund', q: 'remboursement', tag: ['vip:gold'] },
      sort: 'oldest',
    });
  });

  it('holds the unassigned queue of a team, and no status for any', () => {
    expect(viewOfQueue({ ...DEFAULT_STATE, view: 'unassigned', status: 'any', team: TEAM, sla: 'at_risk' }, ME)).toEqual({
      filters: { unassigned: 'true', team_id: TEAM, sla: 'at_risk' },
      sort: 'newest',
    });
  });

  it('holds someone else’s tickets in the whole queue, or every ticket', () => {
    expect(viewOfQueue({ ...DEFAULT_STATE, view: 'all', assignee: OTHER, status: 'closed' }, ME).filters).toEqual({ assigned_to: OTHER, status: ['closed'] });
    expect(viewOfQueue({ ...DEFAULT_STATE, view: 'all', status: 'any' }, ME).filters).toEqual({});
  });
});

describe('a view opened as a queue', () => {
  const states: QueueState[] = [
    DEFAULT_STATE,
    { ...DEFAULT_STATE, priority: 'urgent', category: 'refund', tag: 'vip:gold', q: 'remboursement', sort: 'oldest' },
    { ...DEFAULT_STATE, view: 'unassigned', status: 'open', team: TEAM },
    { ...DEFAULT_STATE, view: 'unassigned', status: 'any', team: 'none', sla: 'breached' },
    { ...DEFAULT_STATE, view: 'all', assignee: OTHER, status: 'waiting_customer' },
    { ...DEFAULT_STATE, view: 'all', status: 'any' },
  ];

  it('is the queue it was saved from', () => {
    for (const state of states) expect(queueOfView(viewOfQueue(state, ME), ME)).toEqual(state);
  });

  it('is the owner’s queue for its owner, the whole queue for a colleague', () => {
    const view = viewOfQueue({ ...DEFAULT_STATE, q: 'colis' }, ME);
    expect(viewHref(view, ME)).toBe('/?q=colis');
    expect(queueOfView(view, OTHER)).toEqual({ ...DEFAULT_STATE, view: 'all', assignee: ME, q: 'colis' });
  });

  it('reads the statuses as a list or as the API’s comma-separated text', () => {
    expect(queueOfView({ filters: { status: 'open,in_progress,waiting_customer', assigned_to: ME }, sort: 'newest' }, ME).status).toBe('active');
    expect(queueOfView({ filters: { status: 'resolved' }, sort: 'newest' }, ME)).toEqual({ ...DEFAULT_STATE, view: 'all', status: 'resolved' });
  });

  it('leaves out what the queue has no control for, and what is not a filter', () => {
    const filters = { status: ['open', 'resolved'], priority: ['high', 'urgent'], tag: ['a', 'b'], tag_any: ['c'], user_id: OTHER, category: 'Not a category!', sla: 7 };
    expect(queueOfView({ filters, sort: 'oldest' }, ME)).toEqual({ ...DEFAULT_STATE, view: 'all', status: 'any', tag: 'a', sort: 'oldest' });
  });

  it('falls back to the caller’s queue where the whole one is not offered', () => {
    expect(queueOfView({ filters: {}, sort: 'newest' }, ME)).toEqual({ ...DEFAULT_STATE, view: 'all', status: 'any' });
  });
});
