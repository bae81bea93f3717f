//! The ticket's service targets in full: when each is due, when the first reply came, time
//! spent waiting for the customer (the clock's pauses), and breaches.

import { useId } from 'preact/hooks';
import type { SlaBadge as Badge, TicketDetail } from '../../api/schemas';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { SlaBadge } from '../../tickets/badges';
import { duration } from '../format';

const CLOCK: Record<Badge['clock'], MessageKey> = {
  running: 'console.sla.clock_running',
  paused: 'console.sla.clock_paused',
  stopped: 'console.sla.clock_stopped',
};

export function SlaPanel({ ticket, now }: { ticket: TicketDetail; now: Date }) {
  const id = useId();
  const { sla } = ticket;
  const clock = CLOCK[sla.clock];
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{t('console.sla.title')}</h2>
      <div class="badges">
        <SlaBadge badge={sla} audience="staff" now={now} />
      </div>
      <dl class="facts facts--stacked">
        <div>
          <dt>{t('console.sla.clock')}</dt>
          <dd>{t(clock)}</dd>
        </div>
        <div>
          <dt>{t('console.sla.response')}</dt>
          <dd>
            {sla.first_response_at ? t('console.sla.answered', { time: formatDateTime(sla.first_response_at) }) : t('console.sla.due_at', { time: formatDateTime(sla.response_due_at) })}
            {sla.response_breached ? <span class="sla-breach"> {t('console.sla.missed')}</span> : null}
          </dd>
        </div>
        <div>
          <dt>{t('console.sla.resolution')}</dt>
          <dd>
            {ticket.resolved_at ? t('console.sla.resolved_at', { time: formatDateTime(ticket.resolved_at) }) : t('console.sla.due_at', { time: formatDateTime(sla.resolution_due_at) })}
            {sla.resolution_breached ? <span class="sla-breach"> {t('console.sla.missed')}</span> : null}
          </dd>
        </div>
        <div>
          <dt>{t('console.sla.paused_total')}</dt>
          <dd>{sla.paused_seconds > 0 ? duration(sla.paused_seconds / 60) : t('console.sla.never_paused')}</dd>
        </div>
        {ticket.auto_close_at && ticket.status !== 'closed' ? (
          <div>
            <dt>{t('console.sla.auto_close')}</dt>
            <dd>{formatDateTime(ticket.auto_close_at)}</dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}
