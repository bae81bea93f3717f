//! Saved filters: a name and a queue, kept in this browser's localStorage (filters are not
//! secret; tickets themselves are never stored).

import { parseQueue, queueHref, type QueueState } from './views';

export interface SavedFilter {
  id: string;
  name: string;
  state: QueueState;
}

const KEY = 'helpdeskly.console.saved-filters';
const MAX = 20;

/** What the storage holds, read defensively: another version of the app may have written it. */
export function parseSaved(raw: string | null, canSeeAll: boolean): SavedFilter[] {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const filters: SavedFilter[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const { id, name, href } = item as Record<string, unknown>;
    if (typeof id !== 'string' || typeof name !== 'string' || typeof href !== 'string' || !name.trim()) continue;
    const query = new URLSearchParams(href.startsWith('/?') ? href.slice(2) : '');
    filters.push({ id, name: name.slice(0, 60), state: parseQueue(query, canSeeAll) });
  }
  return filters.slice(0, MAX);
}

export function serializeSaved(filters: SavedFilter[]): string {
  return JSON.stringify(filters.slice(0, MAX).map((f) => ({ id: f.id, name: f.name, href: queueHref(f.state) })));
}

export function loadSaved(canSeeAll: boolean): SavedFilter[] {
  try {
    return parseSaved(localStorage.getItem(KEY), canSeeAll);
  } catch {
    return [];
  }
}

/** Whether the browser kept them (not in some private modes). */
export function storeSaved(filters: SavedFilter[]): boolean {
  try {
    localStorage.setItem(KEY, serializeSaved(filters));
    return true;
  } catch {
    return false;
  }
}

export function addSaved(filters: SavedFilter[], name: string, state: QueueState, id: string): SavedFilter[] {
  // The same name replaces the older filter rather than showing twice.
  const rest = filters.filter((f) => f.name.toLowerCase() !== name.trim().toLowerCase());
  return [...rest, { id, name: name.trim().slice(0, 60), state }].slice(-MAX);
}
