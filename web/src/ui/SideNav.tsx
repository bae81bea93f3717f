/**
 * The pieces of a side navigation (the console's sidebar, the settings area's own): groups of
 * links under a label, the one for the page shown marked with `aria-current`.
 */

import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { Link } from '../router/router';

/** A labelled list of links (`NavLink`s). */
export function NavGroup({ label, apart, children }: { label?: string; apart?: boolean; children: ComponentChildren }) {
  const id = useId();
  return (
    <div class={apart ? 'side-group side-group--apart' : 'side-group'}>
      {label ? (
        <p class="side-label" id={id}>
          {label}
        </p>
      ) : null}
      <ul class="side-links" aria-labelledby={label ? id : undefined}>
        {children}
      </ul>
    </div>
  );
}

/** `current`: `page` when the link leads to the page shown, `true` when the page shown is one
 * of those it stands for (a filtered queue, a page of the settings). `label`: the link's name
 * when its text alone says less (a count shown as a number). */
export function NavLink({
  href,
  current,
  label,
  children,
  after,
}: {
  href: string;
  current?: 'page' | 'true' | undefined;
  label?: string | undefined;
  children: ComponentChildren;
  after?: ComponentChildren;
}) {
  return (
    <li class="side-item">
      <Link href={href} class="side-link" aria-current={current} aria-label={label}>
        {children}
      </Link>
      {after}
    </li>
  );
}
