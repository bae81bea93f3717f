/**
 * A ticket's markers, for the portal and the console alike: status, priority, SLA standing and
 * unread messages; text first, colour only as a second cue. The audience picks the words (a
 * customer reads "Waiting for your reply" where staff read "Waiting for customer").
 */

import type { Priority, SlaBadge as Badge, TicketStatus } from '../api/schemas';
import { t, tn, type MessageKey } from '../i18n';
import type { Audience } from './audience';
import { slaDisplay, slaText, slaTone } from './sla';


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

/** The server's SLA badge in words. Staff read a countdown (`now` renews it), said to count
 * business hours when a schedule's do, customers the time the next promise falls due. */
export function SlaBadge({ badge, audience, now }: { badge: Badge; audience: Audience; now?: Date }) {
  const display = slaDisplay(badge);
  const tone = slaTone(display);
  if (!tone) return null;
  return <span class={`badge badge--sla-${tone}`}>{slaText(display, audience, now ?? new Date(), Boolean(badge.schedule_id))}</span>;
}

/** A ticket's badges, in the list and on its page: status, priority, service targets, unread. */
export function TicketBadges({ ticket, audience, now }: { ticket: { status: TicketStatus; priority: Priority; sla: Badge; unread_count?: number | null }; audience: Audience; now?: Date }) {
  return (
    <div class="badges">
      <StatusBadge status={ticket.status} audience={audience} />
      <PriorityBadge priority={ticket.priority} audience={audience} />
      <SlaBadge badge={ticket.sla} audience={audience} now={now} />
      <UnreadBadge count={ticket.unread_count} audience={audience} />
    </div>
  );
}
