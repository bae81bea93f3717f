import { describe, expect, it } from 'vitest';
import type { SlaBadge } from '../api/schemas';
import { setLocale } from '../i18n';
import { slaDisplay, slaText, slaTone } from './sla';

const running: SlaBadge = {
  clock: 'running',
  next: 'response',
  due_at: '2030-01-01T12:00:00Z',
  response_breached: false,
  next_response_breached: false,
  resolution_breached: false,
  at_risk: false,
  policy: 'default',
  schedule_id: null,
};

describe('slaDisplay', () => {
  it('says nothing once the clock is stopped, and that it is paused while paused', () => {
    expect(slaDisplay({ ...running, clock: 'stopped', next: null, due_at: null })).toEqual({ kind: 'none' });
    expect(slaDisplay({ ...running, clock: 'paused', next: null, due_at: null })).toEqual({ kind: 'paused' });
    // A recorded breach stays on the badge, but a finished ticket shows no SLA standing.
    expect(slaDisplay({ ...running, clock: 'stopped', resolution_breached: true })).toEqual({ kind: 'none' });
  });

  it('shows the next target and when it is due, from next and due_at', () => {
    expect(slaDisplay(running)).toEqual({ kind: 'due', target: 'response', dueAt: new Date('2030-01-01T12:00:00Z'), atRisk: false });
    expect(slaDisplay({ ...running, next: 'resolution', due_at: '2030-01-03T08:00:00Z' })).toEqual({
      kind: 'due',
      target: 'resolution',
      dueAt: new Date('2030-01-03T08:00:00Z'),
      atRisk: false,
    });
  });

  it('reads "at risk" from the badge, whatever the time left', () => {
    expect(slaDisplay({ ...running, at_risk: true })).toMatchObject({ kind: 'due', atRisk: true });
    // Due long ago or far ahead: the flag alone decides.
    expect(slaDisplay({ ...running, due_at: '1990-01-01T00:00:00Z' })).toMatchObject({ kind: 'due', atRisk: false });
    expect(slaDisplay({ ...running, due_at: '2999-01-01T00:00:00Z', at_risk: true })).toMatchObject({ kind: 'due', atRisk: true });
  });

  it('reads breaches from the flags, never from due_at', () => {
    expect(slaDisplay({ ...running, response_breached: true })).toEqual({ kind: 'breached', target: 'response' });
    expect(slaDisplay({ ...running, next: 'resolution', resolution_breached: true })).toEqual({ kind: 'breached', target: 'resolution' });
    expect(slaDisplay({ ...running, response_breached: true, resolution_breached: true })).toEqual({ kind: 'breached', target: 'resolution' });
    // A first reply sent late: the resolution is what comes next, and it is not missed.
    expect(slaDisplay({ ...running, next: 'resolution', response_breached: true })).toMatchObject({ kind: 'due', target: 'resolution' });
    // Past due_at without a flag is not a breach here.
    expect(slaDisplay({ ...running, due_at: '2000-01-01T00:00:00Z' }).kind).toBe('due');
  });

  it('shows a next reply awaited, and its miss only while it is the one awaited', () => {
    const round = { ...running, next: 'next_response' as const, due_at: '2030-01-01T10:00:00Z' };
    expect(slaDisplay(round)).toEqual({ kind: 'due', target: 'next_response', dueAt: new Date('2030-01-01T10:00:00Z'), atRisk: false });
    expect(slaDisplay({ ...round, next_response_breached: true })).toEqual({ kind: 'breached', target: 'next_response' });
    // A first reply sent late is behind: the next reply is what is awaited now.
    expect(slaDisplay({ ...round, response_breached: true })).toMatchObject({ kind: 'due', target: 'next_response' });
    // A round missed before, answered since: the resolution is next, and it is not missed.
    expect(slaDisplay({ ...running, next: 'resolution', next_response_breached: true })).toMatchObject({ kind: 'due', target: 'resolution' });
    expect(slaDisplay({ ...round, resolution_breached: true })).toEqual({ kind: 'breached', target: 'resolution' });
  });

  it('needs a target and a due time to count down', () => {
    expect(slaDisplay({ ...running, next: null })).toEqual({ kind: 'none' });
    expect(slaDisplay({ ...running, due_at: null })).toEqual({ kind: 'none' });
  });
});

describe('slaTone', () => {
  it('colours each standing', () => {
    expect(slaTone({ kind: 'none' })).toBeNull();
    expect(slaTone({ kind: 'paused' })).toBe('paused');
    expect(slaTone({ kind: 'breached', target: 'response' })).toBe('breached');
    expect(slaTone(slaDisplay(running))).toBe('ok');
    expect(slaTone(slaDisplay({ ...running, at_risk: true }))).toBe('soon');
  });
});

describe('slaText', () => {
  const now = new Date('2030-01-01T09:00:00Z');
  setLocale('en');

  it('counts down to due_at for staff, saying "at risk" only when the badge does', () => {
    expect(slaText(slaDisplay(running), 'staff', now)).toBe('First reply due in 3 hours');
    expect(slaText(slaDisplay({ ...running, at_risk: true }), 'staff', now)).toBe('At risk: First reply due in 3 hours');
    expect(slaText(slaDisplay({ ...running, next: 'resolution', due_at: '2030-01-01T09:45:00Z' }), 'staff', now)).toBe('Resolution due in 45 minutes');
  });

  it('says that a countdown counts business hours when the badge names a schedule', () => {
    const scheduled = { ...running, schedule_id: '0b0e8f3e-8d0a-4f55-9d43-2f8f7a1c9b10' };
    expect(slaText(slaDisplay(scheduled), 'staff', now, true)).toBe('First reply due in 3 hours, business hours');
    expect(slaText(slaDisplay({ ...scheduled, at_risk: true }), 'staff', now, true)).toBe('At risk: First reply due in 3 hours, business hours');
    setLocale('fr');
    expect(slaText(slaDisplay(scheduled), 'staff', now, true)).toBe('Première réponse attendue dans 3 heures, en heures ouvrées');
    setLocale('en');
  });

  it('names the breached target and the paused clock', () => {
    expect(slaText(slaDisplay({ ...running, response_breached: true }), 'staff', now)).toBe('First reply overdue');
    expect(slaText(slaDisplay({ ...running, resolution_breached: true }), 'customer', now)).toBe('Resolution overdue');
    expect(slaText(slaDisplay({ ...running, clock: 'paused' }), 'staff', now)).toBe('SLA paused');
    expect(slaText(slaDisplay({ ...running, clock: 'paused' }), 'customer', now)).toBe('Waiting for you');
  });

  it('tells a customer when the next promise falls due', () => {
    expect(slaText(slaDisplay(running), 'customer', now)).toMatch(/^First reply expected by /);
    expect(slaText(slaDisplay({ ...running, next: 'next_response' }), 'customer', now)).toMatch(/^Next reply expected by /);
  });

  it('words the next reply for staff and customers, due and missed', () => {
    const round = { ...running, next: 'next_response' as const, due_at: '2030-01-01T10:00:00Z' };
    expect(slaText(slaDisplay(round), 'staff', now)).toBe('Next reply due in 1 hour');
    expect(slaText(slaDisplay({ ...round, at_risk: true }), 'staff', now)).toBe('At risk: Next reply due in 1 hour');
    expect(slaText(slaDisplay({ ...round, next_response_breached: true }), 'staff', now)).toBe('Next reply overdue');
    expect(slaText(slaDisplay({ ...round, next_response_breached: true }), 'customer', now)).toBe('Next reply overdue');
    setLocale('fr');
    expect(slaText(slaDisplay(round), 'staff', now)).toBe('Prochaine réponse attendue dans 1 heure');
    expect(slaText(slaDisplay({ ...round, next_response_breached: true }), 'staff', now)).toBe('Prochaine réponse en retard');
    setLocale('en');
  });
});
