/** Each staff member's assigned tickets by status, as a chart and a table. */

import { getWorkload } from '../../data/reports';
import { useResource } from '../../data/resource';
import { formatNumber, t, tn } from '../../i18n';
import { displayName } from '../../tenant/member';
import { Loaded } from '../../ui/status';
import { STATUS_LABEL } from '../../tickets/badges';
import { BarChart } from './BarChart';
import { Panel } from '../../ui/Panel';

const COLUMNS = ['open', 'in_progress', 'waiting_customer', 'resolved'] as const;
const COLOUR = { open: '--chart-1', in_progress: '--chart-2', waiting_customer: '--chart-3', resolved: '--chart-5' } as const;

export function WorkloadPanel() {
  const workload = useResource('workload', getWorkload);
  return (
    <Panel title={t('console.dash.workload_title')}>
      <Loaded resource={workload} empty={(w) => w.data.length === 0 && t('console.dash.workload_empty')}>
        {({ data: rows }) => (
          <>
            <BarChart
              horizontal
              labels={rows.map((r) => displayName(r))}
              series={COLUMNS.map((c) => ({ label: t(STATUS_LABEL[c]), data: rows.map((r) => r[c]), colour: COLOUR[c] }))}
              summary={tn('console.dash.workload_summary', rows.length, { tickets: formatNumber(rows.reduce((sum, r) => sum + r.total, 0)) })}
            />
            <div class="table-wrap">
              <table>
                <caption>{t('console.dash.workload_table')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('console.dash.person')}</th>
                    {COLUMNS.map((c) => (
                      <th key={c} scope="col">
                        {t(STATUS_LABEL[c])}
                      </th>
                    ))}
                    <th scope="col">{t('console.dash.total')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.user_id}>
                      <th scope="row">{displayName(r)}</th>
                      {COLUMNS.map((c) => (
                        <td key={c}>{formatNumber(r[c])}</td>
                      ))}
                      <td>{formatNumber(r.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </Loaded>
    </Panel>
  );
}
