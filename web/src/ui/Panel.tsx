/** A panel of a page: a section named by its heading. */

import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

/** `title`: the heading (an h2) that names it; `class`: its own, after `panel`; `id`: the
 * heading's, when the caller needs to know it (a fresh one otherwise). */
export function Panel({ title, class: kind, id, children }: { title: ComponentChildren; class?: string; id?: string; children: ComponentChildren }) {
  const own = useId();
  const heading = id ?? own;
  return (
    <section class={kind ? `panel ${kind}` : 'panel'} aria-labelledby={heading}>
      <h2 id={heading}>{title}</h2>
      {children}
    </section>
  );
}
