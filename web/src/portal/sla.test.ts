import { describe, expect, it } from 'vitest';
import type { SlaState, Ticket } from '../api/schemas';
import { listExtras, slaStanding } from './sla';

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

describe('listExtras', () => {
  it('reads the SLA and unread count when a list item has them', () => {
    const ticket = { id: 1 } as Ticket;
    expect(listExtras(ticket)).toEqual({ sla: null, unread: null });
    expect(listExtras({ ...ticket, sla, unread_count: 2 } as Ticket)).toEqual({ sla, unread: 2 });
  });
});
