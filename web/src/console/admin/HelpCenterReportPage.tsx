/**
 * The help center report (owners and admins): over a range of days (the last one included, read
 * in the browser's time zone), each article read with its views, its votes, the views that came
 * from the new-ticket form's suggestions and the tickets they spared (deflections); and what
 * customers and visitors searched for without finding anything. The server's refusals of the
 * range are said beside its fields.
 */

import { ApiProblem } from '../../api/problem';
import { helpCenterReport, type ArticleReport, type HelpReport, type UnansweredSearch } from '../../data/helpCenter';
import { formatNumber, t } from '../../i18n';
import { Link } from '../../router/router';
import { Page } from '../../ui/Page';
import {
  LOCALE_LABEL,
  checkHelpFilters,
  defaultHelpFilters,
  helpReportQuery,
  reportTotals,
  searchLocaleLabel,
  type HelpReportFilters,
} from '../helpCenter';
import { localToday } from '../schedules';
import { FiltersPanel, ReportResults, ReportSection, useFiltersForm, useReport } from './ReportParts';
import { WideTable } from '../../ui/WideTable';

export function HelpCenterReportPage() {
  const { zone, filters, report, refusal, apply } = useReport('help-report', () => defaultHelpFilters(localToday()), helpReportQuery, helpCenterReport);
  return (
    <Page title={t('help.report.title')}>
      <p class="lead">{t('help.report.lead')}</p>
      <p>
        <Link href="/admin/reports">{t('help.report.tickets_link')}</Link>
      </p>
      <RangeForm initial={filters} zone={zone} refusal={refusal} onApply={apply} />
      <ReportResults title={t('help.report.results')} report={report} refusal={refusal}>
        {(data) => <Results report={data} />}
      </ReportResults>
    </Page>
  );
}

function RangeForm({ initial, zone, refusal, onApply }: { initial: HelpReportFilters; zone: string; refusal: ApiProblem | null; onApply: (filters: HelpReportFilters) => void }) {
  const filters = useFiltersForm(initial, zone, refusal, checkHelpFilters, onApply);
  return <FiltersPanel title={t('help.report.range')} zone={zone} filters={filters} />;
}

function Results({ report }: { report: HelpReport }) {
  return (
    <>
      <ArticlesTable articles={report.articles} />
      <UnansweredTable searches={report.unanswered_searches} />
    </>
  );
}

function ArticlesTable({ articles }: { articles: ArticleReport[] }) {
  const total = reportTotals(articles);
  const counts = (row: typeof total) => (
    <>
      <td>{formatNumber(row.views)}</td>
      <td>{formatNumber(row.helpful)}</td>
      <td>{formatNumber(row.not_helpful)}</td>
      <td>{formatNumber(row.suggested_views)}</td>
      <td>{formatNumber(row.deflections)}</td>
    </>
  );
  return (
    <ReportSection title={t('help.report.articles')} hint={t('help.report.articles_hint')} empty={articles.length === 0 && t('help.report.no_articles')}>
      <WideTable
        class="reports-table help-report-articles"
        caption={t('help.report.articles_caption')}
        headings={[
          t('help.report.col.title'),
          t('help.report.col.locale'),
          t('help.report.col.views'),
          t('help.report.col.helpful'),
          t('help.report.col.not_helpful'),
          t('help.report.col.suggested'),
          t('help.report.col.deflections'),
        ]}
      >
        <tbody>
          {articles.map((row) => (
            <tr key={row.id}>
              <th scope="row">
                <Link href={`/help-center/articles/${row.id}`} lang={row.locale}>
                  {row.title}
                </Link>
              </th>
              <td>{t(LOCALE_LABEL[row.locale])}</td>
              {counts(row)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('help.report.total')}</th>
            <td />
            {counts(total)}
          </tr>
        </tfoot>
      </WideTable>
    </ReportSection>
  );
}

function UnansweredTable({ searches }: { searches: UnansweredSearch[] }) {
  return (
    <ReportSection title={t('help.report.unanswered')} hint={t('help.report.unanswered_hint')} empty={searches.length === 0 && t('help.report.no_unanswered')}>
      <WideTable
        class="reports-table help-report-searches"
        caption={t('help.report.unanswered_caption')}
        headings={[t('help.report.col.query'), t('help.report.col.locale'), t('help.report.col.count')]}
      >
        <tbody>
          {searches.map((row) => (
            <tr key={`${row.locale}:${row.query}`}>
              <th scope="row">{row.query}</th>
              <td>{t(searchLocaleLabel(row.locale))}</td>
              <td>{formatNumber(row.count)}</td>
            </tr>
          ))}
        </tbody>
      </WideTable>
    </ReportSection>
  );
}
