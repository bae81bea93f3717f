/**
 * A panel folded to its heading until opened (the HTML disclosure): a region named by its
 * heading, which is the disclosure's summary, so that it is found and named folded or open. What
 * it holds stays in the page, shown once the heading is pressed (a click, Enter or Space).
 */

import type { ComponentChildren, Ref } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/** `id`: the summary's, naming the region (and taking focus when what had it inside is gone);
 * `holds`: it holds something worth seeing, so it opens by itself, once: then it stays as the
 * reader leaves it; `lazy`: what it holds is made (and so read) only once it is first opened. */
export function FoldedPanel({
  id,
  title,
  class: extra,
  holds = false,
  lazy = false,
  panelRef,
  children,
}: {
  id: string;
  title: string;
  class?: string;
  holds?: boolean;
  lazy?: boolean;
  panelRef?: Ref<HTMLElement>;
  children: ComponentChildren;
}) {
  const [opened, setOpened] = useState(holds);
  // Whether it was ever open (a lazy panel's content stays made once it was).
  const [shown, setShown] = useState(holds);
  useEffect(() => {
    if (holds) {
      setOpened(true);
      setShown(true);
    }
  }, [holds]);
  return (
    <section class={extra ? `panel panel--folded ${extra}` : 'panel panel--folded'} aria-labelledby={id} ref={panelRef}>
      <details open={opened} onToggle={(event) => event.currentTarget.open && setShown(true)}>
        <summary id={id}>
          <h2>{title}</h2>
        </summary>
        <div class="folded-body">{lazy && !shown ? null : children}</div>
      </details>
    </section>
  );
}
