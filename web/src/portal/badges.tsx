//! Status, priority, SLA and unread markers: text first, colour only as a second cue.

import type { Priority, TicketStatus } from '../api/schemas';
import { formatDateTime, t, tn } from '../i18n';
import type { SlaStanding } from './sla';

export function StatusBadge({ status }: { status: TicketStatus }) {
  return <span class={`badge badge--status-${status}`}>{t(`status.${status}`)}</span>;
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  return (
    <span class={`badge badge--priority-${priority}`}>
      {t('portal.priority_label')} {t(`priority.${priority}`)}
    </span>
  );
}

export function UnreadBadge({ count }: { count: number }) {
  if (count <= 0) return null;
  return <span class="badge badge--unread">{tn('portal.unread', count)}</span>;
}

export function SlaBadge({ standing }: { standing: SlaStanding }) {
  switch (standing.kind) {
    case 'done':
      return null;
    case 'paused':
      return <span class="badge badge--sla-paused">{t('sla.paused')}</span>;
    case 'breached':
      return <span class="badge badge--sla-breached">{t(`sla.breached.${standing.target}`)}</span>;
    case 'due':
      return (
        <span class={standing.soon ? 'badge badge--sla-soon' : 'badge badge--sla-ok'}>
          {t(`sla.due.${standing.target}`, { time: formatDateTime(standing.dueAt) })}
        </span>
      );
  }
}
