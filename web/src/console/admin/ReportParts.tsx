/**
 * The parts of the reports: the report asked for the filters applied, its results (or the
 * filters refused), a section with its title, and the numbers behind a chart, folded below it.
 */

import type { ComponentChildren } from 'preact';
import { useEffect, useId, useMemo, useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { useResource, type Resource } from '../../data/resource';
import { t, type MessageKey } from '../../i18n';
import { useMember } from '../../tenant/member';
import { TextField } from '../../ui/Field';
import { translated, useFields } from '../../ui/form';
import { EmptyState, Loaded } from '../../ui/status';
import { browserTimeZone, reportErrorOf } from '../reports';
import { Panel } from '../../ui/Panel';
import { TableHeadings } from '../../ui/WideTable';

/** The server refused the filters (each beside its field). */
export const refused = (error: unknown): error is ApiProblem => error instanceof ApiProblem && error.code === 'validation_failed' && error.errors.length > 0;

/** A report (`name`) read for the filters applied, in this browser's time zone: the filters
 * (`initial` first), the report, the server's refusal of the filters (said beside them), and
 * `apply`, which asks again when the filters are the same (after a refusal, say). */
export function useReport<F, Q, T>(name: string, initial: () => F, queryOf: (filters: F, zone: string) => Q, load: (query: Q, signal: AbortSignal) => Promise<T>) {
  const { slug } = useMember();
  const zone = useMemo(browserTimeZone, []);
  const [filters, setFilters] = useState<F>(initial);
  const query = queryOf(filters, zone);
  const key = JSON.stringify(query);
  const report = useResource(`${name}:${slug}:${key}`, (signal) => load(query, signal));
  const refusal = refused(report.error) ? report.error : null;
  const apply = (next: F) => {
    if (JSON.stringify(queryOf(next, zone)) === key) report.reload();
    else setFilters(next);
  };
  return { zone, filters, report, refusal, apply };
}

/** The dates a report runs between, and the other filters (`F`). */
type Range = { from: string; to: string };

/** The server's refusals of the filters, in words, beside the controls the form has (the others
 * with the form). */
function refusalErrors<F extends Range>(problem: ApiProblem, zone: string, values: F): Partial<Record<keyof F | 'form', string>> {
  const found: Partial<Record<string, string>> = {};
  for (const e of problem.errors) {
    const mapped = reportErrorOf(e.field);
    if (mapped && (mapped.control === 'form' || mapped.control in values)) found[mapped.control] ??= t(mapped.message, { zone });
    else found.form ??= e.message;
  }
  return found as Partial<Record<keyof F | 'form', string>>;
}

/** A report's filters: checked here first (`check`: a date missing), then applied (the dates
 * trimmed); the server's refusal of them (`refusal`) said beside their controls. */
export function useFiltersForm<F extends Range>(initial: F, zone: string, refusal: ApiProblem | null, check: (values: F) => Partial<Record<keyof F & string, MessageKey>>, onApply: (filters: F) => void) {
  const form = useFields<F, 'form'>(initial, { editAnswersForm: true });
  const showRefusal = (problem: ApiProblem) => form.show(refusalErrors(problem, zone, form.values));
  useEffect(() => {
    if (refusal) showRefusal(refusal);
  }, [refusal]);
  const checked = () => form.show(translated(check(form.values)) as Parameters<typeof form.show>[0]);
  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (checked()) onApply({ ...form.values, from: form.values.from.trim(), to: form.values.to.trim() });
  };
  return { form, onSubmit, checked, showRefusal };
}

/** The filters' panel: its title, the dates and the other controls (`children`) side by side,
 * what the dates mean, the form's own refusal and any other failure (`failure`), then Apply and
 * the other buttons (`buttons`), and what follows them (`footer`). */
export function FiltersPanel<F extends Range>({
  title,
  zone,
  filters,
  children,
  failure,
  buttons,
  footer,
}: {
  title: string;
  zone: string;
  filters: ReturnType<typeof useFiltersForm<F>>;
  children?: ComponentChildren;
  failure?: ComponentChildren;
  buttons?: ComponentChildren;
  footer?: ComponentChildren;
}) {
  const { form, onSubmit } = filters;
  const { values, errors, change } = form;
  return (
    <Panel title={title}>
      <form ref={form.ref} class="form reports-filters" onSubmit={onSubmit} noValidate>
        <div class="filter-fields">
          <TextField label={t('reports.filters.from')} name="from" type="date" value={values.from} error={errors.from} onValue={(v) => change({ from: v } as Partial<F>, ['from', 'to'])} required />
          <TextField label={t('reports.filters.to')} name="to" type="date" value={values.to} error={errors.to} onValue={(v) => change({ to: v } as Partial<F>, ['from', 'to'])} required />
          {children}
        </div>
        <p class="hint">
          {t('reports.filters.to_hint')} {t('reports.filters.zone', { zone })}
        </p>
        {errors.form ? (
          <div class="alert alert--error" role="alert">
            <p>{errors.form}</p>
          </div>
        ) : null}
        {failure}
        <div class="actions">
          <button type="submit" class="button">
            {t('reports.filters.apply')}
          </button>
          {buttons}
        </div>
        {footer}
      </form>
    </Panel>
  );
}

/** The results of a report as they load, or, when the server refused the filters, a word that
 * says so (the form says why). */
export function ReportResults<T>({ title, report, refusal, children }: { title: string; report: Resource<T>; refusal: unknown; children: (data: T) => ComponentChildren }) {
  const id = useId();
  return (
    <section class="panel reports-results" aria-labelledby={id} aria-busy={report.loading ? 'true' : undefined}>
      <h2 id={id}>{title}</h2>
      {refusal ? <p class="hint">{t('reports.refused')}</p> : <Loaded resource={report}>{children}</Loaded>}
    </section>
  );
}

/** A part of a report: its title and what it shows (`hint`), then `children`, or the empty state
 * titled `empty` when there is nothing to show. */
export function ReportSection({ title, hint, empty = false, children }: { title: string; hint?: string; empty?: string | false; children: ComponentChildren }) {
  const id = useId();
  return (
    <section class="reports-section" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {hint ? <p class="hint">{hint}</p> : null}
      {empty !== false ? <EmptyState title={empty} /> : children}
    </section>
  );
}

/** A chart (`children`) under its caption, and its numbers folded below it: a row a bar label
 * (`label`), a cell a series. */
export function ChartFigure({ caption, headings, rows, children }: { caption: string; headings: string[]; rows: { key: string; label: string; cells: ComponentChildren[] }[]; children: ComponentChildren }) {
  return (
    <figure class="reports-chart">
      <figcaption>{caption}</figcaption>
      {children}
      <details class="chart-data">
        <summary>{t('reports.chart.numbers')}</summary>
        <div class="table-wrap">
          <table>
            <caption>{caption}</caption>
            <TableHeadings headings={headings} />
            <tbody>
              {rows.map((row) => (
                <tr key={row.key}>
                  <th scope="row">{row.label}</th>
                  {row.cells.map((cell, i) => (
                    <td key={i}>{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
