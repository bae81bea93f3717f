/**
 * What the Integrations page's panels (API keys, webhooks) have in common: the creation form, what
 * it made shown once (a secret), the list with its states, and the notice once an item has gone
 * (revoked, deleted). Each panel brings its form, its secret and its rows.
 */

import type { ComponentChildren } from 'preact';
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { Resource } from '../../data/resource';
import { Loaded, Notice } from '../../ui/status';
import { Panel } from '../../ui/Panel';

interface Item {
  id: string | number;
}

export function IntegrationPanel<T extends Item, C extends Item>({
  title,
  lead,
  listTitle,
  emptyTitle,
  items,
  form,
  secret,
  goneNotice,
  row,
}: {
  title: string;
  lead: string;
  listTitle: string;
  emptyTitle: string;
  items: Resource<T[]>;
  /** The creation form, told what it made. */
  form: (onCreated: (made: C) => void) => ComponentChildren;
  /** What was made, shown once until dismissed (`done`). */
  secret: (made: C, done: () => void) => ComponentChildren;
  /** The notice once an item has gone, by the name it was shown with. */
  goneNotice: (name: string) => string;
  /** An item's row, with what to call once it has gone (its name, for the notice). */
  row: (item: T, gone: (name: string) => void) => ComponentChildren;
}) {
  const [created, setCreated] = useState<C | null>(null);
  const [gone, setGone] = useState<string | null>(null);
  return (
    <Panel title={title}>
      <p class="hint">{lead}</p>
      {form((made) => {
        setCreated(made);
        setGone(null);
        items.reload();
      })}
      {created ? secret(created, () => setCreated(null)) : null}
      <h3>{listTitle}</h3>
      {gone !== null ? <Notice tone="success">{goneNotice(gone)}</Notice> : null}
      <Loaded resource={items} empty={(list) => list.length === 0 && emptyTitle}>
        {(list) => (
          <ul class="integration-list">
            {list.map((item) => (
              <Fragment key={item.id}>
                {row(item, (name) => {
                  setGone(name);
                  // A secret of what is gone is no use any more.
                  setCreated((made) => (made?.id === item.id ? null : made));
                })}
              </Fragment>
            ))}
          </ul>
        )}
      </Loaded>
    </Panel>
  );
}
