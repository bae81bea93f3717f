//! The parts of the reports: a section with its title, a wide table that scrolls in its own
//! frame, and the numbers behind a chart, folded below it.

import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { t } from '../../i18n';
import { EmptyState } from '../../ui/status';

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

/** Wider than most screens: the table scrolls inside its frame, which the keyboard can reach and
 * which its caption names. `children`: its body (and foot), below the column headings. */
export function WideTable({ class: kind, caption, headings, children }: { class: string; caption: string; headings: string[]; children: ComponentChildren }) {
  const id = useId();
  return (
    <div class="table-wrap" role="region" aria-labelledby={id} tabIndex={0}>
      <table class={kind}>
        <caption id={id}>{caption}</caption>
        <Headings headings={headings} />
        {children}
      </table>
    </div>
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
            <Headings headings={headings} />
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

function Headings({ headings }: { headings: string[] }) {
  return (
    <thead>
      <tr>
        {headings.map((heading, i) => (
          <th key={i} scope="col">
            {heading}
          </th>
        ))}
      </tr>
    </thead>
  );
}
