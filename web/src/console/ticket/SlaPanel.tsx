/**
 * The ticket's service targets in full: the policy that gives them and the business hours they
 * are counted in, when each is due (the next reply too, while the customer awaits one), when the
 * first reply came, time spent waiting for the customer (the clock's pauses), the clock held
 * outside business hours, and breaches; folded until opened (the ticket's summary shows its
 * badge). Staff only, as the console is: customers never read the organisation's schedules.
 */

import { useId } from 'preact/hooks';
import type { SlaBadge as Badge, TicketDetail } from '../../api/schemas';
import { formatDateTime, t, type MessageKey } from '../../i18n';
import { SlaBadge } from '../../tickets/badges';
import { FoldedPanel } from '../../ui/FoldedPanel';
import { duration } from '../format';
import { useSchedules } from '../useSchedules';

const CLOCK: Record<Badge['clock'], MessageKey> = {
  running: 'console.sla.clock_running',
  paused: 'console.sla.clock_paused',
  stopped: 'console.sla.clock_stopped',
};

/** The name of the policy that applies (`default`: the default policy). */
const policyName = (policy: string) => (policy === 'default' ? t('policies.ticket.default') : policy);

export function SlaPanel({ ticket, now }: { ticket: TicketDetail; now: Date }) {
  const id = useId();
  const { sla } = ticket;
  const clock = CLOCK[sla.clock];
  return (
    <FoldedPanel id={id} title={t('console.sla.title')}>
      <div class="badges">
        <SlaBadge badge={sla} audience="staff" now={now} />
      </div>
      <dl class="facts facts--stacked">
        <div>
          <dt>{t('policies.ticket.policy')}</dt>
          <dd class="sla-policy-name">{policyName(sla.policy)}</dd>
        </div>
        <div>
          <dt>{t('policies.ticket.hours')}</dt>
          <dd class="sla-hours">{sla.schedule_id ? <ScheduleName id={sla.schedule_id} /> : t('policies.around_the_clock')}</dd>
        </div>
        <div>
          <dt>{t('console.sla.clock')}</dt>
          <dd>
            {t(clock)}
            {sla.outside_business_hours ? <span class="fact-detail sla-outside-hours">{t('policies.ticket.outside_hours')}</span> : null}
          </dd>
        </div>
        <div>
          <dt>{t('console.sla.response')}</dt>
          <dd>
            {sla.first_response_at ? t('console.sla.answered', { time: formatDateTime(sla.first_response_at) }) : t('console.sla.due_at', { time: formatDateTime(sla.response_due_at) })}
            {sla.response_breached ? <span class="sla-breach"> {t('console.sla.missed')}</span> : null}
          </dd>
        </div>
        {sla.next_response_due_at ? (
          <div>
            <dt>{t('policies.ticket.next_response')}</dt>
            <dd class="sla-next-response">
              {t('console.sla.due_at', { time: formatDateTime(sla.next_response_due_at) })}
              {sla.next_response_breached ? <span class="sla-breach"> {t('console.sla.missed')}</span> : null}
            </dd>
          </div>
        ) : sla.next_response_breached ? (
          <div>
            <dt>{t('policies.ticket.next_response')}</dt>
            <dd class="sla-next-response">
              <span class="sla-breach">{t('policies.ticket.next_response_late')}</span>
            </dd>
          </div>
        ) : null}
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
    </FoldedPanel>
  );
}

/** A schedule's name, read from the organisation's schedules (loaded only for a ticket that
 * follows one). */
function ScheduleName({ id }: { id: string }) {
  const schedules = useSchedules();
  if (schedules.data === undefined) return <>{schedules.error ? t('policies.schedule_unknown') : t('common.loading')}</>;
  return <>{schedules.data.find((s) => s.id === id)?.name ?? t('policies.schedule_unknown')}</>;
}
