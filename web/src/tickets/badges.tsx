//! A ticket's markers, for the portal and the console alike: status, priority, SLA standing and
//! unread messages; text first, colour only as a second cue. The audience picks the words (a
//! customer reads "Waiting for your reply" where staff read "Waiting for customer").

import type { Priority, SlaBadge as Badge, TicketStatus } from '../api/schemas';
import { formatDateTime, t, tn, type MessageKey } from '../i18n';
import { relativeTime } from '../console/format';
import { slaDisplay, slaTone } from './sla';

export type Audience = 'customer' | 'staff';

/** A status as staff name it. */
export const STATUS_LABEL: Record<TicketStatus, MessageKey> = {
  open: 'console.status.open',
  in_progress: 'console.status.in_progress',
  waiting_customer: 'console.status.waiting_customer',
  resolved: 'console.status.resolved',
  closed: 'console.status.closed',
};

export function statusText(status: TicketStatus, audience: Audience): string {
  return audience === 'staff' ? t(STATUS_LABEL[status]) : t(`status.${status}`);
}

export function StatusBadge({ status, audience }: { status: TicketStatus; audience: Audience }) {
  return <span class={`badge badge--status-${status}`}>{statusText(status, audience)}</span>;
}

export function PriorityBadge({ priority, audience }: { priority: Priority; audience: Audience }) {
  return (
    <span class={`badge badge--priority-${priority}`}>
      {audience === 'staff' ? t('console.priority_badge', { priority: t(`priority.${priority}`) }) : `${t('portal.priority_label')} ${t(`priority.${priority}`)}`}
    </span>
  );
}

export function UnreadBadge({ count, audience }: { count: number | null | undefined; audience: Audience }) {
  if (!count || count <= 0) return null;
  return <span class="badge badge--unread">{tn(audience === 'staff' ? 'console.unread' : 'portal.unread', count)}</span>;
}

/** The server's SLA badge in words. Staff read a countdown (`now` renews it), customers the
 * time the next promise falls due. */
export function SlaBadge({ badge, audience, now }: { badge: Badge; audience: Audience; now?: Date }) {
  const display = slaDisplay(badge);
  const tone = slaTone(display);
  if (!tone) return null;
  return <span class={`badge badge--sla-${tone}`}>{slaText(display, audience, now ?? new Date())}</span>;
}

function slaText(display: ReturnType<typeof slaDisplay>, audience: Audience, now: Date): string {
  const staff = audience === 'staff';
  switch (display.kind) {
    case 'none':
      return '';
    case 'paused':
      return staff ? t('console.sla.paused') : t('sla.paused');
    case 'breached':
      if (!staff) return t(`sla.breached.${display.target}`);
      return t(display.target === 'response' ? 'console.sla.response_breached' : 'console.sla.resolution_breached');
    case 'due': {
      if (!staff) return t(`sla.due.${display.target}`, { time: formatDateTime(display.dueAt) });
      const text = t(display.target === 'response' ? 'console.sla.response_due' : 'console.sla.resolution_due', { time: relativeTime(display.dueAt, now) });
      return display.atRisk ? t('console.sla.at_risk', { text }) : text;
    }
  }
}
