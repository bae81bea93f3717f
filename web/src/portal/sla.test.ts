import { describe, expect, it } from 'vitest';
import type { SlaBadge, SlaState } from '../api/schemas';
import { badgeStanding, slaStanding } from './sla';

const now = new Date('2030-01-01T12:00:00Z');
const sla: SlaState = {
  response_due_at: '2030-01-01T16:00:00Z',
  resolution_due_at: '2030-01-02T12:00:00Z',
  paused_seconds: 0,
  response_breached: false,
  resolution_breached: false,
  first_response_at: null,
};

describe('slaStanding', () => {
  it('awaits a first response, then the resolution', () => {
    expect(slaStanding(sla, 'open', now)).toEqual({ kind: 'due', target: 'response', dueAt: new Date(sla.response_due_at), soon: false });
    const answered = { ...sla, first_response_at: '2030-01-01T12:30:00Z' };
    expect(slaStanding(answered, 'in_progress', now)).toMatchObject({ kind: 'due', target: 'resolution' });
  });

  it('says when a deadline is near or passed', () => {
    expect(slaStanding({ ...sla, response_due_at: '2030-01-01T12:30:00Z' }, 'open', now)).toMatchObject({ soon: true });
    expect(slaStanding({ ...sla, response_due_at: '2030-01-01T11:00:00Z' }, 'open', now)).toEqual({ kind: 'breached', target: 'response' });
    expect(slaStanding({ ...sla, response_breached: true }, 'open', now)).toEqual({ kind: 'breached', target: 'response' });
  });

  it('pauses while waiting for the customer and stops once resolved', () => {
    expect(slaStanding(sla, 'waiting_customer', now)).toEqual({ kind: 'paused' });
    expect(slaStanding(sla, 'resolved', now)).toEqual({ kind: 'done' });
    expect(slaStanding(sla, 'closed', now)).toEqual({ kind: 'done' });
  });
});

describe('badgeStanding', () => {
  const badge: SlaBadge = {
    clock: 'running',
    next: 'response',
    due_at: '2030-01-01T16:00:00Z',
    response_breached: false,
    resolution_breached: false,
    at_risk: false,
  };

  it('reads the next promise of a list item and whether it holds', () => {
    expect(badgeStanding(badge, now)).toEqual({ kind: 'due', target: 'response', dueAt: new Date(badge.due_at!), soon: false });
    expect(badgeStanding({ ...badge, at_risk: true }, now)).toMatchObject({ kind: 'due', soon: true });
    expect(badgeStanding({ ...badge, response_breached: true }, now)).toEqual({ kind: 'breached', target: 'response' });
    expect(badgeStanding({ ...badge, due_at: '2030-01-01T11:00:00Z' }, now)).toEqual({ kind: 'breached', target: 'response' });
  });

  it('pauses and stops with the clock', () => {
    expect(badgeStanding({ ...badge, clock: 'paused', next: null, due_at: null }, now)).toEqual({ kind: 'paused' });
    expect(badgeStanding({ ...badge, clock: 'stopped', next: null, due_at: null }, now)).toEqual({ kind: 'done' });
  });
});
