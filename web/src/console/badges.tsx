//! Status, priority, SLA and unread markers as staff read them: text first, colour second.

import type { Priority, TicketStatus } from '../api/schemas';
import { t, tn, type MessageKey } from '../i18n';
import { relativeTime } from './format';
import type { Standing } from './sla';

export const STATUS_LABEL: Record<TicketStatus, MessageKey> = {
  open: 'console.status.open',
  in_progress: 'console.status.in_progress',
  waiting_customer: 'console.status.waiting_customer',
  resolved: 'console.status.resolved',
  closed: 'console.status.closed',
};

export function StatusBadge({ status }: { status: TicketStatus }) {
  return <span class={`badge badge--status-${status}`}>{t(STATUS_LABEL[status])}</span>;
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  return <span class={`badge badge--priority-${priority}`}>{t('console.priority_badge', { priority: t(`priority.${priority}`) })}</span>;
}

export function UnreadBadge({ count }: { count: number | null }) {
  if (!count || count <= 0) return null;
  return <span class="badge badge--unread">{tn('console.unread', count)}</span>;
}

export function SlaBadge({ standing, now }: { standing: Standing; now: Date }) {
  switch (standing.kind) {
    case 'stopped':
      return null;
    case 'paused':
      return <span class="badge badge--sla-paused">{t('console.sla.paused')}</span>;
    case 'breached':
      return <span class="badge badge--sla-breached">{t(standing.target === 'response' ? 'console.sla.response_breached' : 'console.sla.resolution_breached')}</span>;
    case 'running': {
      const time = relativeTime(standing.dueAt, now);
      const text = t(standing.target === 'response' ? 'console.sla.response_due' : 'console.sla.resolution_due', { time });
      return <span class={standing.atRisk ? 'badge badge--sla-soon' : 'badge badge--sla-ok'}>{standing.atRisk ? t('console.sla.at_risk', { text }) : text}</span>;
    }
  }
}
