//! The saved filters as the sidebar lists them and the queue saves them: one list for the tab,
//! so a filter saved on the queue shows in the sidebar at once.

import { useEffect, useState } from 'preact/hooks';
import { addSaved, loadSaved, parseSaved, serializeSaved, storeSaved, type SavedFilter } from './saved';
import type { QueueState } from './views';

export interface Saved {
  filters: SavedFilter[];
  save: (name: string, state: QueueState) => void;
  remove: (id: string) => void;
}

/** What was saved in this tab when the browser's storage refused it (then it lasts as long as
 * the page), and who shows the list. */
let held: string | null = null;
const listeners = new Set<() => void>();

function update(next: SavedFilter[]) {
  held = storeSaved(next) ? null : serializeSaved(next);
  for (const listener of listeners) listener();
}

export function useSaved(canSeeAll: boolean): Saved {
  const read = () => (held === null ? loadSaved(canSeeAll) : parseSaved(held, canSeeAll));
  const [filters, setFilters] = useState(read);
  useEffect(() => {
    const listener = () => setFilters(read());
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, [canSeeAll]);
  return {
    filters,
    save: (name, state) => update(addSaved(read(), name, state, crypto.randomUUID())),
    remove: (id) => update(read().filter((f) => f.id !== id)),
  };
}
