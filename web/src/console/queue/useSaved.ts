import { useState } from 'preact/hooks';
import { addSaved, loadSaved, storeSaved, type SavedFilter } from './saved';
import type { QueueState } from './views';

export interface Saved {
  filters: SavedFilter[];
  save: (name: string, state: QueueState) => void;
  remove: (id: string) => void;
}

export function useSaved(canSeeAll: boolean): Saved {
  const [filters, setFilters] = useState(() => loadSaved(canSeeAll));
  const update = (next: SavedFilter[]) => {
    setFilters(next);
    storeSaved(next);
  };
  return {
    filters,
    save: (name, state) => update(addSaved(filters, name, state, crypto.randomUUID())),
    remove: (id) => update(filters.filter((f) => f.id !== id)),
  };
}
