/**
 * What a ticket's SLA badge says, as the server computed it: which clock runs, the next target
 * (the first reply, the next reply after a customer's message, or the resolution), when it is
 * due, breaches and "at risk". Nothing here is decided again: a breach is a flag of
 * the badge (never a date compared with the time), "at risk" is the badge's own flag. Only the
 * wording is chosen here; a countdown to `due_at` is the one thing the time changes.
 */

import type { SlaBadge } from '../api/schemas';
import { relativeTime } from '../console/format';
import { formatDateTime, t, type MessageKey } from '../i18n';
import type { Audience } from './audience';

export type Target = NonNullable<SlaBadge['next']>;

export type SlaDisplay =
  /** Nothing to say: the clock is stopped (resolved, closed), or runs without a target. */
  | { kind: 'none' }
  | { kind: 'paused' }
  | { kind: 'breached'; target: Target }
  | { kind: 'due'; target: Target; dueAt: Date; atRisk: boolean };

/** The badge's colour: its class is `badge--sla-{tone}`. */
export type SlaTone = 'ok' | 'soon' | 'breached' | 'paused';

export function slaDisplay(badge: Pick<SlaBadge, 'clock' | 'next' | 'due_at' | 'response_breached' | 'next_response_breached' | 'resolution_breached' | 'at_risk'>): SlaDisplay {
  if (badge.clock === 'stopped') return { kind: 'none' };
  if (badge.clock === 'paused') return { kind: 'paused' };
  // A missed resolution outweighs everything; a missed reply matters while it is the one awaited.
  if (badge.resolution_breached) return { kind: 'breached', target: 'resolution' };
  if (badge.response_breached && (badge.next === 'response' || !badge.next)) return { kind: 'breached', target: 'response' };
  if (badge.next_response_breached && badge.next === 'next_response') return { kind: 'breached', target: 'next_response' };
  if (!badge.next || !badge.due_at) return { kind: 'none' };
  return { kind: 'due', target: badge.next, dueAt: new Date(badge.due_at), atRisk: badge.at_risk };
}

export function slaTone(display: SlaDisplay): SlaTone | null {
  switch (display.kind) {
    case 'none':
      return null;
    case 'paused':
      return 'paused';
    case 'breached':
      return 'breached';
    case 'due':
      return display.atRisk ? 'soon' : 'ok';
  }
}

const DUE: Record<Target, MessageKey> = {
  response: 'console.sla.response_due',
  next_response: 'console.sla.next_response_due',
  resolution: 'console.sla.resolution_due',
};

const BREACHED: Record<Target, MessageKey> = {
  response: 'console.sla.response_breached',
  next_response: 'console.sla.next_response_breached',
  resolution: 'console.sla.resolution_breached',
};

/** The badge in words. Staff read a countdown to `due_at` ("First reply due in 3 hours"),
 * customers the time the next promise falls due. `business`: the targets count a schedule's
 * business hours (the badge's `schedule_id`, whichever policy gives them, the default one too),
 * which staff read with the countdown ("... in 3 hours, business hours"): the clock then stands
 * still while the schedule is closed. */
export function slaText(display: SlaDisplay, audience: Audience, now: Date, business = false): string {
  const staff = audience === 'staff';
  switch (display.kind) {
    case 'none':
      return '';
    case 'paused':
      return staff ? t('console.sla.paused') : t('sla.paused');
    case 'breached':
      if (!staff) return t(`sla.breached.${display.target}`);
      return t(BREACHED[display.target]);
    case 'due': {
      if (!staff) return t(`sla.due.${display.target}`, { time: formatDateTime(display.dueAt) });
      const due = t(DUE[display.target], { time: relativeTime(display.dueAt, now) });
      const text = business ? t('console.sla.business_hours', { text: due }) : due;
      return display.atRisk ? t('console.sla.at_risk', { text }) : text;
    }
  }
}
