import { describe, expect, it } from 'vitest';
import { fromBadge, fromState } from './sla';

const now = new Date('2030-01-01T12:00:00Z');
const state = {
  response_due_at: '2030-01-01T13:00:00Z',
  resolution_due_at: '2030-01-02T12:00:00Z',
  paused_seconds: 0,
  response_breached: false,
  resolution_breached: false,
  first_response_at: null,
};

describe('fromState', () => {
  it('shows the next target while the clock runs', () => {
    expect(fromState(state, 'open', now)).toEqual({ kind: 'running', target: 'response', dueAt: new Date(state.response_due_at), atRisk: false });
    expect(fromState({ ...state, first_response_at: '2030-01-01T11:00:00Z' }, 'in_progress', now)).toMatchObject({ target: 'resolution' });
    expect(fromState(state, 'open', now, { response: 300, resolution: 1440 })).toMatchObject({ atRisk: true });
  });

  it('pauses while the customer is awaited and stops once resolved', () => {
    expect(fromState(state, 'waiting_customer', now)).toEqual({ kind: 'paused' });
    expect(fromState(state, 'resolved', now)).toEqual({ kind: 'stopped' });
  });

  it('reads a passed deadline as breached', () => {
    expect(fromState(state, 'open', new Date('2030-01-01T13:00:01Z'))).toEqual({ kind: 'breached', target: 'response' });
    expect(fromState({ ...state, resolution_breached: true }, 'in_progress', now)).toMatchObject({ kind: 'breached' });
  });
});

describe('fromBadge', () => {
  it('reads the list badge', () => {
    const badge = { clock: 'running' as const, next: 'response' as const, due_at: state.response_due_at, response_breached: false, resolution_breached: false, at_risk: true };
    expect(fromBadge(badge, now)).toEqual({ kind: 'running', target: 'response', dueAt: new Date(state.response_due_at), atRisk: true });
    expect(fromBadge({ ...badge, response_breached: true }, now)).toEqual({ kind: 'breached', target: 'response' });
    expect(fromBadge({ ...badge, clock: 'paused' }, now)).toEqual({ kind: 'paused' });
  });
});
