/**
 * Where the SLA stands now: breaches (first replies, next replies, resolutions), open tickets
 * by status and priority, and the tickets closest to missing a target.
 */

import { getSlaSummary } from '../../data/sla';
import { useResource } from '../../data/resource';
import type { Priority, TicketStatus } from '../../api/schemas';
import { formatDateTime, formatNumber, t, tn, type MessageKey } from '../../i18n';
import { Link } from '../../router/router';
import { EmptyState, Loaded } from '../../ui/status';
import { PriorityBadge, STATUS_LABEL, StatusBadge } from '../../tickets/badges';
import type { Target } from '../../tickets/sla';
import { relativeTime } from '../format';
import { PRIORITIES } from '../queue/views';
import { useNow } from '../useNow';
import { BarChart } from './BarChart';
import { Panel } from '../../ui/Panel';

const TARGET_NAME: Record<Target, MessageKey> = {
  response: 'console.sla.response',
  next_response: 'policies.ticket.next_response',
  resolution: 'console.sla.resolution',
};
const OPEN_STATUSES: TicketStatus[] = ['open', 'in_progress', 'waiting_customer', 'resolved'];
const PRIORITY_COLOUR: Record<Priority, string> = { urgent: '--chart-4', high: '--chart-3', medium: '--chart-2', low: '--chart-1' };

export function SlaSummaryPanel() {
  const summary = useResource('sla-summary', getSlaSummary);
  const now = useNow();
  const data = summary.data;
  const count = (status: TicketStatus, priority: Priority) => data?.open.find((c) => c.status === status && c.priority === priority)?.count ?? 0;
  const total = data?.open.reduce((sum, c) => sum + c.count, 0) ?? 0;
  return (
    <Panel title={t('console.dash.sla_title')}>
      <Loaded resource={summary}>
        {(data) => (
          <>
            <div class="tiles">
              <div class="tile">
                <span class="tile-value">{formatNumber(total)}</span>
                <span class="tile-label">{t('console.dash.open_total')}</span>
              </div>
              <div class={data.breaches.response ? 'tile tile--bad' : 'tile'}>
                <span class="tile-value">{formatNumber(data.breaches.response)}</span>
                <span class="tile-label">{t('console.dash.breached_response')}</span>
              </div>
              <div class={data.breaches.next_response ? 'tile tile--bad' : 'tile'}>
                <span class="tile-value">{formatNumber(data.breaches.next_response)}</span>
                <span class="tile-label">{t('console.dash.breached_next_response')}</span>
              </div>
              <div class={data.breaches.resolution ? 'tile tile--bad' : 'tile'}>
                <span class="tile-value">{formatNumber(data.breaches.resolution)}</span>
                <span class="tile-label">{t('console.dash.breached_resolution')}</span>
              </div>
              <div class={data.at_risk_count ? 'tile tile--warn' : 'tile'}>
                <span class="tile-value">{formatNumber(data.at_risk_count)}</span>
                <span class="tile-label">{t('console.dash.at_risk')}</span>
              </div>
            </div>
            <h3>{t('console.dash.open_by_status')}</h3>
            <BarChart
              labels={OPEN_STATUSES.map((s) => t(STATUS_LABEL[s]))}
              series={[...PRIORITIES].reverse().map((p) => ({ label: t(`priority.${p}`), data: OPEN_STATUSES.map((s) => count(s, p)), colour: PRIORITY_COLOUR[p] }))}
              summary={tn('console.dash.open_summary', total)}
            />
            <div class="table-wrap">
              <table>
                <caption>{t('console.dash.open_table')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('console.dash.status')}</th>
                    {PRIORITIES.map((p) => (
                      <th key={p} scope="col">
                        {t(`priority.${p}`)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {OPEN_STATUSES.map((s) => (
                    <tr key={s}>
                      <th scope="row">{t(STATUS_LABEL[s])}</th>
                      {PRIORITIES.map((p) => (
                        <td key={p}>{formatNumber(count(s, p))}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h3>{t('console.dash.at_risk_title')}</h3>
            {data.at_risk.length === 0 ? (
              <EmptyState title={t('console.dash.at_risk_none')} />
            ) : (
              <div class="table-wrap">
                <table>
                  <caption>{t('console.dash.at_risk_caption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('console.ticket.number')}</th>
                      <th scope="col">{t('console.dash.status')}</th>
                      <th scope="col">{t('console.priority.label')}</th>
                      <th scope="col">{t('console.dash.target')}</th>
                      <th scope="col">{t('console.dash.due')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.at_risk.map((r) => (
                      <tr key={r.id}>
                        <th scope="row">
                          <Link href={`/tickets/${r.id}`}>{r.ticket_number}</Link>
                        </th>
                        <td>
                          <StatusBadge status={r.status} audience="staff" />
                        </td>
                        <td>
                          <PriorityBadge priority={r.priority} audience="staff" />
                        </td>
                        <td>{t(TARGET_NAME[r.sla_type])}</td>
                        <td>
                          <time dateTime={r.due_at} title={formatDateTime(r.due_at)}>
                            {relativeTime(new Date(r.due_at), now)}
                          </time>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <p class="hint">{t('console.dash.generated', { time: formatDateTime(data.generated_at) })}</p>
          </>
        )}
      </Loaded>
    </Panel>
  );
}
