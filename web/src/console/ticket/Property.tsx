/** One of a ticket's properties in the panel beside the thread (`Properties.tsx`). */

import type { ComponentChildren } from 'preact';

/** One property: its label (`id`, which takes focus when a change removes the control that had
 * it), what it is now and how to change it. */
export function Property({ id, label, children }: { id: string; label: string; children: ComponentChildren }) {
  return (
    <section class="property" aria-labelledby={id}>
      <h3 id={id} class="property-label" tabIndex={-1}>
        {label}
      </h3>
      <div class="property-body">{children}</div>
    </section>
  );
}
