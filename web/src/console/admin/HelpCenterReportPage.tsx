//! The help center report (owners and admins): over a range of days (the last one included, read
//! in the browser's time zone), each article read with its views, its votes, the views that came
//! from the new-ticket form's suggestions and the tickets they spared (deflections); and what
//! customers and visitors searched for without finding anything. The server's refusals of the
//! range are said beside its fields.

import { useEffect, useId, useMemo, useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { helpCenterReport, type ArticleReport, type HelpReport, type UnansweredSearch } from '../../data/helpCenter';
import { useResource } from '../../data/resource';
import { formatNumber, t } from '../../i18n';
import { Link } from '../../router/router';
import { useMember } from '../../tenant/member';
import { TextField } from '../../ui/Field';
import { translated, useFields } from '../../ui/form';
import { Page } from '../../ui/Page';
import { EmptyState, Loaded } from '../../ui/status';
import {
  LOCALE_LABEL,
  checkHelpFilters,
  defaultHelpFilters,
  helpReportQuery,
  reportTotals,
  searchLocaleLabel,
  type HelpReportFilters,
} from '../helpCenter';
import { browserTimeZone, reportErrorOf } from '../reports';
import { localToday } from '../schedules';

const refused = (error: unknown): error is ApiProblem => error instanceof ApiProblem && error.code === 'validation_failed' && error.errors.length > 0;

type FilterErrors = Partial<Record<keyof HelpReportFilters | 'form', string>>;

/** The server's refusals of the range, by field, in words; the others with the form. */
function refusalErrors(problem: ApiProblem, zone: string): FilterErrors {
  const found: FilterErrors = {};
  for (const e of problem.errors) {
    const mapped = reportErrorOf(e.field);
    if (mapped && (mapped.control === 'from' || mapped.control === 'to' || mapped.control === 'form')) found[mapped.control] ??= t(mapped.message, { zone });
    else found.form ??= e.message;
  }
  return found;
}

export function HelpCenterReportPage() {
  const { slug } = useMember();
  const zone = useMemo(browserTimeZone, []);
  const [filters, setFilters] = useState<HelpReportFilters>(() => defaultHelpFilters(localToday()));
  const query = helpReportQuery(filters, zone);
  const key = JSON.stringify(query);
  const report = useResource(`help-report:${slug}:${key}`, (signal) => helpCenterReport(query, signal));
  const resultsId = useId();
  const refusal = refused(report.error) ? report.error : null;
  const apply = (next: HelpReportFilters) => {
    if (JSON.stringify(helpReportQuery(next, zone)) === key) report.reload();
    else setFilters(next);
  };
  return (
    <Page title={t('help.report.title')}>
      <p class="lead">{t('help.report.lead')}</p>
      <p>
        <Link href="/admin/reports">{t('help.report.tickets_link')}</Link>
      </p>
      <RangeForm initial={filters} zone={zone} refusal={refusal} onApply={apply} />
      <section class="panel reports-results" aria-labelledby={resultsId} aria-busy={report.loading ? 'true' : undefined}>
        <h2 id={resultsId}>{t('help.report.results')}</h2>
        {refusal ? <p class="hint">{t('reports.refused')}</p> : <Loaded resource={report}>{(data) => <Results report={data} />}</Loaded>}
      </section>
    </Page>
  );
}

function RangeForm({ initial, zone, refusal, onApply }: { initial: HelpReportFilters; zone: string; refusal: ApiProblem | null; onApply: (filters: HelpReportFilters) => void }) {
  const form = useFields<HelpReportFilters, 'form'>(initial);
  const { values, errors, change } = form;
  const id = useId();
  useEffect(() => {
    if (refusal) form.show(refusalErrors(refusal, zone));
  }, [refusal]);
  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.show(translated(checkHelpFilters(values)))) return;
    onApply({ from: values.from.trim(), to: values.to.trim() });
  };
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{t('help.report.range')}</h2>
      <form ref={form.ref} class="form reports-filters" onSubmit={onSubmit} noValidate>
        <div class="filter-fields">
          <TextField label={t('reports.filters.from')} name="from" type="date" value={values.from} error={errors.from} onValue={(v) => change({ from: v }, ['from', 'to'])} required />
          <TextField label={t('reports.filters.to')} name="to" type="date" value={values.to} error={errors.to} onValue={(v) => change({ to: v }, ['from', 'to'])} required />
        </div>
        <p class="hint">
          {t('reports.filters.to_hint')} {t('reports.filters.zone', { zone })}
        </p>
        {errors.form ? (
          <div class="alert alert--error" role="alert">
            <p>{errors.form}</p>
          </div>
        ) : null}
        <div class="actions">
          <button type="submit" class="button">
            {t('reports.filters.apply')}
          </button>
        </div>
      </form>
    </section>
  );
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
  const id = useId();
  const headingId = useId();
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
    <section class="reports-section" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('help.report.articles')}</h3>
      <p class="hint">{t('help.report.articles_hint')}</p>
      {articles.length === 0 ? (
        <EmptyState title={t('help.report.no_articles')} />
      ) : (
        <div class="table-wrap" role="region" aria-labelledby={id} tabIndex={0}>
          <table class="reports-table help-report-articles">
            <caption id={id}>{t('help.report.articles_caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('help.report.col.title')}</th>
                <th scope="col">{t('help.report.col.locale')}</th>
                <th scope="col">{t('help.report.col.views')}</th>
                <th scope="col">{t('help.report.col.helpful')}</th>
                <th scope="col">{t('help.report.col.not_helpful')}</th>
                <th scope="col">{t('help.report.col.suggested')}</th>
                <th scope="col">{t('help.report.col.deflections')}</th>
              </tr>
            </thead>
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
          </table>
        </div>
      )}
    </section>
  );
}

function UnansweredTable({ searches }: { searches: UnansweredSearch[] }) {
  const id = useId();
  const headingId = useId();
  return (
    <section class="reports-section" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('help.report.unanswered')}</h3>
      <p class="hint">{t('help.report.unanswered_hint')}</p>
      {searches.length === 0 ? (
        <EmptyState title={t('help.report.no_unanswered')} />
      ) : (
        <div class="table-wrap" role="region" aria-labelledby={id} tabIndex={0}>
          <table class="reports-table help-report-searches">
            <caption id={id}>{t('help.report.unanswered_caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('help.report.col.query')}</th>
                <th scope="col">{t('help.report.col.locale')}</th>
                <th scope="col">{t('help.report.col.count')}</th>
              </tr>
            </thead>
            <tbody>
              {searches.map((row) => (
                <tr key={`${row.locale}:${row.query}`}>
                  <th scope="row">{row.query}</th>
                  <td>{t(searchLocaleLabel(row.locale))}</td>
                  <td>{formatNumber(row.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
