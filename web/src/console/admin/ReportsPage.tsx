/**
 * Ticket reports (owners and admins): the filters (a range of dates, the last included; what to
 * group by; the period), the totals, each group's response and resolution times over the
 * periods and side by side, the SLA met by group, every row in a table, the tickets of the range
 * as CSV, and the mailed digest's settings (`DigestPanel`); a link to the help center report.
 * Each chart is an image with a summary and a table of its numbers; the server's refusals are
 * said beside their controls.
 */

import { useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { downloadTicketsCsv, performanceReport, type Performance, type PerformanceQuery } from '../../data/reports';
import { formatNumber, t, tn, type MessageKey } from '../../i18n';
import { Link } from '../../router/router';
import { SelectField } from '../../ui/Field';
import { useSubmit } from '../../ui/hooks';
import { Page } from '../../ui/Page';
import { EmptyState, ErrorAlert } from '../../ui/status';
import {
  GROUP_BY,
  GROUP_BY_LABEL,
  GROUP_WORD,
  PERIODS,
  PERIOD_LABEL,
  busiestGroup,
  byGroup,
  checkFilters,
  csvFallbackName,
  csvQuery,
  defaultFilters,
  formatCsat,
  formatMinutes,
  formatRatio,
  groupQuery,
  periodLabel,
  performanceQuery,
  reportGroups,
  tableRow,
  tableRows,
  timingOverTime,
  type DurationUnit,
  type ReportFilters,
  type TableRow,
  type Timing,
} from '../reports';
import { localToday } from '../schedules';
import { BarChart } from './BarChart';
import { DigestPanel } from './DigestPanel';
import { ChartFigure, FiltersPanel, ReportResults, ReportSection, refused, useFiltersForm, useReport } from './ReportParts';
import { WideTable } from '../../ui/WideTable';

/** The report as asked (with its periods, if any) and each group over the whole range. */
interface Reports {
  detail: Performance;
  groups: Performance;
}

async function loadReports(query: PerformanceQuery, signal: AbortSignal): Promise<Reports> {
  const [detail, groups] = await Promise.all([performanceReport(query, signal), query.period ? performanceReport(groupQuery(query), signal) : null]);
  return { detail, groups: groups ?? detail };
}

export function ReportsPage() {
  const { zone, filters, report, refusal, apply } = useReport('reports', () => defaultFilters(localToday()), performanceQuery, loadReports);
  return (
    <Page title={t('reports.title')}>
      <p class="lead">{t('reports.lead')}</p>
      <p>
        <Link href="/admin/reports/help-center">{t('help.report.from_tickets')}</Link>
      </p>
      <Filters initial={filters} zone={zone} refusal={refusal} onApply={apply} />
      <ReportResults title={t('reports.results')} report={report} refusal={refusal}>
        {(data) => <Results data={data} />}
      </ReportResults>
      <DigestPanel />
    </Page>
  );
}

/** The filters' form: checked here first (a date missing), then asked of the server, whose
 * refusals come back as `refusal` and are said beside their controls; and the CSV of the
 * range shown. */
function Filters({ initial, zone, refusal, onApply }: { initial: ReportFilters; zone: string; refusal: ApiProblem | null; onApply: (filters: ReportFilters) => void }) {
  const filters = useFiltersForm(initial, zone, refusal, checkFilters, onApply);
  const { form, checked, showRefusal } = filters;
  const csv = useSubmit();
  const download = () => {
    if (!checked()) return;
    const query = csvQuery(form.values, zone);
    void csv.run(async () => {
      try {
        await downloadTicketsCsv(query, csvFallbackName(query));
      } catch (error) {
        if (refused(error)) return void showRefusal(error);
        throw error;
      }
    });
  };

  return (
    <FiltersPanel
      title={t('reports.filters.title')}
      zone={zone}
      filters={filters}
      failure={<ErrorAlert error={csv.error} />}
      buttons={
        <button type="button" class="button button--secondary" disabled={csv.busy} onClick={download}>
          {csv.busy ? t('common.working') : t('reports.csv.download')}
        </button>
      }
      footer={<p class="field-hint">{t('reports.csv.hint')}</p>}
    >
      <SelectField
        label={t('reports.filters.group_by')}
        {...form.field('groupBy', 'group_by')}
        options={GROUP_BY.map((g) => ({ value: g, label: t(GROUP_BY_LABEL[g]) }))}
      />
      <SelectField label={t('reports.filters.period')} {...form.field('period')} options={PERIODS.map((p) => ({ value: p, label: t(PERIOD_LABEL[p]) }))} />
    </FiltersPanel>
  );
}

function Results({ data }: { data: Reports }) {
  const { detail, groups } = data;
  const total = detail.total;
  if (total.created === 0) return <EmptyState title={t('reports.empty')} />;
  const group = t(GROUP_WORD[detail.group_by]);
  return (
    <>
      <div class="tiles">
        <Tile value={formatNumber(total.created)} label={t('reports.col.created')} />
        <Tile value={formatNumber(total.resolved)} label={t('reports.col.resolved')} />
        <Tile value={formatNumber(total.reopened)} label={t('reports.col.reopened')} />
        <Tile value={formatMinutes(total.first_response_minutes.median)} label={t('reports.tile.first_response')} />
        <Tile value={formatMinutes(total.resolution_minutes.median)} label={t('reports.tile.resolution')} />
        <Tile value={formatRatio(total.sla_met_ratio)} label={t('reports.col.sla_met')} />
        <Tile value={formatCsat(total.csat_average)} label={t('reports.col.csat')} />
      </div>
      {detail.period ? <OverTime report={detail} /> : null}
      <ByGroup report={groups} />
      <h3>{t('reports.table.title')}</h3>
      <ReportTable
        caption={detail.period ? t('reports.table.caption_periods', { group, period: t(PERIOD_LABEL[detail.period]) }) : t('reports.table.caption', { group })}
        groupHeading={t(GROUP_BY_LABEL[detail.group_by])}
        periods={Boolean(detail.period)}
        rows={tableRows(detail)}
        total={tableRow('total', t('reports.table.total'), '', total)}
      />
    </>
  );
}

function Tile({ value, label }: { value: string; label: string }) {
  return (
    <div class="tile">
      <span class="tile-value">{value}</span>
      <span class="tile-label">{label}</span>
    </div>
  );
}

const unitWord = (unit: DurationUnit) => t(unit === 'hours' ? 'reports.unit.hours' : 'reports.unit.minutes');

/** One group's times over the periods: the group chosen (the busiest first), then a chart each
 * for the first response and the resolution. */
function OverTime({ report }: { report: Performance }) {
  const groups = reportGroups(report.rows, report.group_by);
  const [chosen, setChosen] = useState<string | null>(null);
  const shown = groups.some((g) => g.id === chosen) ? chosen : busiestGroup(groups);
  const group = groups.find((g) => g.id === shown);
  if (!group) return null;
  return (
    <ReportSection title={t('reports.over_time.title')}>
      <SelectField
        label={t('reports.over_time.group', { group: t(GROUP_WORD[report.group_by]) })}
        name="over_time_group"
        value={group.id}
        options={groups.map((g) => ({ value: g.id, label: g.label }))}
        onValue={setChosen}
      />
      <div class="reports-charts">
        <TimingChart report={report} group={group.id} groupLabel={group.label} timing="first_response_minutes" />
        <TimingChart report={report} group={group.id} groupLabel={group.label} timing="resolution_minutes" />
      </div>
    </ReportSection>
  );
}

function TimingChart({ report, group, groupLabel, timing }: { report: Performance; group: string; groupLabel: string; timing: Timing }) {
  const series = timingOverTime(report.rows, group, timing);
  const labels = series.periods.map((p) => periodLabel(p, report.period ?? null));
  const title = t(timing === 'first_response_minutes' ? 'reports.chart.first_response' : 'reports.chart.resolution');
  const unit = unitWord(series.unit);
  return (
    <ChartFigure
      caption={t('reports.chart.over_time_caption', { title, group: groupLabel })}
      headings={[t('reports.col.period'), t('reports.chart.median'), t('reports.chart.p90')]}
      rows={series.minutes.map((m, i) => ({ key: series.periods[i]!, label: labels[i]!, cells: [formatMinutes(m.median), formatMinutes(m.p90)] }))}
    >
      <BarChart
        labels={labels}
        stacked={false}
        series={[
          { label: t('reports.chart.median_in', { unit }), data: series.median, colour: '--chart-2' },
          { label: t('reports.chart.p90_in', { unit }), data: series.p90, colour: '--chart-3' },
        ]}
        summary={tn('reports.chart.over_time_summary', labels.length, { title, group: groupLabel, unit })}
      />
    </ChartFigure>
  );
}

/** Each group over the whole range: the medians side by side, and the share of tickets within
 * their service targets. */
function ByGroup({ report }: { report: Performance }) {
  const shaped = byGroup(report.rows, report.group_by);
  const group = t(GROUP_WORD[report.group_by]);
  const heading = t(GROUP_BY_LABEL[report.group_by]);
  const unit = unitWord(shaped.unit);
  const firstResponse = t('reports.chart.first_response');
  const resolution = t('reports.chart.resolution');
  return (
    <ReportSection title={t('reports.by_group.title', { group })}>
      <div class="reports-charts">
        <ChartFigure
          caption={t('reports.by_group.medians', { group })}
          headings={[heading, t('reports.col.first_median'), t('reports.col.resolution_median')]}
          rows={report.rows.map((row, i) => ({ key: row.key ?? '', label: shaped.labels[i]!, cells: [formatMinutes(row.first_response_minutes.median), formatMinutes(row.resolution_minutes.median)] }))}
        >
          <BarChart
            labels={shaped.labels}
            stacked={false}
            series={[
              { label: t('reports.chart.series_in', { title: firstResponse, unit }), data: shaped.firstResponse, colour: '--chart-2' },
              { label: t('reports.chart.series_in', { title: resolution, unit }), data: shaped.resolution, colour: '--chart-3' },
            ]}
            summary={tn('reports.by_group.medians_summary', shaped.labels.length, { group, unit })}
          />
        </ChartFigure>
        <ChartFigure
          caption={t('reports.by_group.sla', { group })}
          headings={[heading, t('reports.col.sla_met')]}
          rows={report.rows.map((row, i) => ({ key: row.key ?? '', label: shaped.labels[i]!, cells: [formatRatio(row.sla_met_ratio)] }))}
        >
          <BarChart
            labels={shaped.labels}
            max={100}
            series={[{ label: t('reports.by_group.sla_series'), data: shaped.slaMet, colour: '--chart-5' }]}
            summary={tn('reports.by_group.sla_summary', shaped.labels.length, { group, total: formatRatio(report.total.sla_met_ratio) })}
          />
        </ChartFigure>
      </div>
    </ReportSection>
  );
}

const COLUMNS = [
  'reports.col.created',
  'reports.col.resolved',
  'reports.col.reopened',
  'reports.col.first_median',
  'reports.col.first_p90',
  'reports.col.resolution_median',
  'reports.col.resolution_p90',
  'reports.col.sla_met',
  'reports.col.csat',
] as const satisfies readonly MessageKey[];

/** Every row of the report, and the whole range's totals at the foot. */
function ReportTable({ caption, groupHeading, periods, rows, total }: { caption: string; groupHeading: string; periods: boolean; rows: TableRow[]; total: TableRow }) {
  const cells = (row: TableRow) => (
    <>
      {periods ? <td>{row.period}</td> : null}
      <td>{formatNumber(row.created)}</td>
      <td>{formatNumber(row.resolved)}</td>
      <td>{formatNumber(row.reopened)}</td>
      <td>{row.firstMedian}</td>
      <td>{row.firstP90}</td>
      <td>{row.resolutionMedian}</td>
      <td>{row.resolutionP90}</td>
      <td>{row.slaMet}</td>
      <td>{row.csat}</td>
    </>
  );
  const headings = [groupHeading, ...(periods ? [t('reports.col.period')] : []), ...COLUMNS.map((column) => t(column))];
  return (
    <WideTable class="reports-table" caption={caption} headings={headings}>
    <tbody>
      {rows.map((row) => (
        <tr key={row.key}>
          <th scope="row">{row.group}</th>
          {cells(row)}
        </tr>
      ))}
    </tbody>
    <tfoot>
      <tr>
        <th scope="row">{total.group}</th>
        {cells(total)}
      </tr>
    </tfoot>
    </WideTable>
  );
}
