/**
 * Customer satisfaction over the last 30 days (the server's default, by week): the average and
 * the number of ratings, each agent's, and each week's as a chart beside its table.
 */

import { satisfactionReport } from '../../data/satisfaction';
import { useResource } from '../../data/resource';
import { formatAverage, formatDate, formatNumber, t, tn } from '../../i18n';
import { Stars } from '../../satisfaction/Stars';
import { Loaded } from '../../ui/status';
import { BarChart } from './BarChart';
import { Panel } from '../../ui/Panel';

export function SatisfactionPanel() {
  const report = useResource('satisfaction-report', (signal) => satisfactionReport({}, signal));
  const average = (value: number | null | undefined) => (value === null || value === undefined ? t('csat.report.none') : formatAverage(value));
  return (
    <Panel title={t('csat.report.title')}>
      <p class="hint">{t('csat.report.range')}</p>
      <Loaded resource={report} empty={(data) => data.count === 0 && t('csat.report.empty')}>
        {(data) => (
          <>
            <div class="tiles">
              <div class="tile">
                <span class="tile-value">{average(data.average)}</span>
                <span class="tile-label">{t('csat.report.average')}</span>
                {typeof data.average === 'number' ? <Stars value={data.average} /> : null}
              </div>
              <div class="tile">
                <span class="tile-value">{formatNumber(data.count)}</span>
                <span class="tile-label">{t('csat.report.count')}</span>
              </div>
            </div>
            {data.by_period.length ? (
              <>
                <h3>{t('csat.report.by_period')}</h3>
                <BarChart
                  labels={data.by_period.map((p) => formatDate(p.start))}
                  max={5}
                  series={[{ label: t('csat.report.average'), data: data.by_period.map((p) => p.average ?? 0), colour: '--chart-2' }]}
                  summary={tn('csat.report.chart_summary', data.by_period.length, { average: average(data.average) })}
                />
                <ScoreTable
                  caption={t('csat.report.period_table')}
                  heading={t('csat.report.period')}
                  rows={data.by_period.map((p) => ({ key: p.start, label: formatDate(p.start), average: average(p.average), count: p.count }))}
                />
              </>
            ) : null}
            <ScoreTable
              caption={t('csat.report.agent_table')}
              heading={t('console.dash.person')}
              rows={data.by_agent.map((a) => ({ key: a.agent_id ?? 'nobody', label: a.name || t('console.someone'), average: average(a.average), count: a.count }))}
            />
          </>
        )}
      </Loaded>
    </Panel>
  );
}

interface ScoreRow {
  key: string;
  label: string;
  /** Formatted already. */
  average: string;
  count: number;
}

/** A table of averages and counts, one row per period or per agent. */
function ScoreTable({ caption, heading, rows }: { caption: string; heading: string; rows: ScoreRow[] }) {
  return (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{heading}</th>
            <th scope="col">{t('csat.report.average')}</th>
            <th scope="col">{t('csat.report.count')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.label}</th>
              <td>{row.average}</td>
              <td>{formatNumber(row.count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
