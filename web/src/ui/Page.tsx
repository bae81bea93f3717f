/**
 * A page: its title in the tab and as the heading that receives focus after navigation, so
 * screen reader users hear where they arrived.
 */

import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

export function Page({ title, children, actions, narrow }: { title: string; children: ComponentChildren; actions?: ComponentChildren; narrow?: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ${t('common.app_name')}`;
  }, [title]);
  useLayoutEffect(() => {
    // The first page keeps the browser's natural focus; later ones move it to their heading.
    if (document.body.dataset.navigated) heading.current?.focus();
    document.body.dataset.navigated = '1';
  }, []);
  return (
    <section class={narrow ? 'page page--narrow' : 'page'}>
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions ? <div class="page-actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}
