/** Tables wider than most screens, and the column headings of a table. */

import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

/** Wider than most screens: the table scrolls inside its frame, which the keyboard can reach and
 * which its caption names. `children`: its body (and foot), below the column headings. */
export function WideTable({ class: kind, caption, headings, busy, children }: { class: string; caption: string; headings: string[]; busy?: boolean; children: ComponentChildren }) {
  const id = useId();
  return (
    <div class="table-wrap" role="region" aria-labelledby={id} tabIndex={0}>
      <table class={kind} aria-busy={busy ? 'true' : undefined}>
        <caption id={id}>{caption}</caption>
        <TableHeadings headings={headings} />
        {children}
      </table>
    </div>
  );
}

/** A table's column headings, in one row. */
export function TableHeadings({ headings }: { headings: string[] }) {
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
