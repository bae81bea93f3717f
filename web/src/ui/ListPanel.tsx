/**
 * A page that keeps a list (macros, teams, fields...): the form that adds to it, new and empty
 * after each creation, and the panel that lists it with what was last done.
 */

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Panel } from './Panel';
import { Loaded, Notice, type Loadable } from './status';

/** What was last done (`notice`), and the creation form's key (`round`): `created` says what was
 * made and brings a new, empty form. */
export function useCreations() {
  const [notice, setNotice] = useState('');
  const [round, setRound] = useState(0);
  const created = (text: string) => {
    setNotice(text);
    setRound((n) => n + 1);
  };
  return { notice, setNotice, round, created };
}

/** The list's panel: what was last done, then the list as it loads, its count (`count`) above
 * its items (`children`), or the empty state (`empty`). */
export function ListPanel<T>({
  title,
  notice,
  resource,
  empty,
  count,
  children,
}: {
  title: string;
  notice: string;
  resource: Loadable<T[]>;
  empty: string;
  count: (n: number) => string;
  children: (list: T[]) => ComponentChildren;
}) {
  return (
    <Panel title={title}>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      <Loaded resource={resource} empty={(list) => list.length === 0 && empty}>
        {(list) => (
          <>
            <p class="list-count">{count(list.length)}</p>
            <ul class="integration-list">{children(list)}</ul>
          </>
        )}
      </Loaded>
    </Panel>
  );
}
