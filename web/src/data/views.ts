/**
 * Views: saved ticket filters the server keeps, a staff member's own and the shared ones (owners
 * and admins keep those). The console reads the list in two places at once (the sidebar, the
 * queue's save and delete controls): they share one answer for a short while, and a change
 * made here reads it again everywhere (`viewsChanged`), as the teams do.
 */

import { api } from '../api';
import type { NewView, View, ViewCount, ViewPatch } from '../api/schemas';

export type { NewView, View, ViewCount, ViewPatch, ViewSort } from '../api/schemas';

/** The shared views first, then the caller's own, each by name. */
export function listViews(signal?: AbortSignal): Promise<View[]> {
  return api('GET', '/v1/views', { signal });
}

/** `shared: true` is for owners and admins (403 otherwise). */
export function createView(view: NewView): Promise<View> {
  return api('POST', '/v1/views', { body: view });
}

export function changeView(id: string, change: ViewPatch): Promise<View> {
  return api('PATCH', '/v1/views/{id}', { path: { id }, body: change });
}

export async function removeView(id: string): Promise<void> {
  await api('DELETE', '/v1/views/{id}', { path: { id } });
}

/** How many tickets each view the caller sees finds now, exactly, in one request. */
export function viewCounts(signal?: AbortSignal): Promise<ViewCount[]> {
  return api('GET', '/v1/views/counts', { signal });
}

/** How long one answer of the list serves every view of the page that asks. */
const SHARED_MS = 30_000;

let shared: { key: string; at: number; views: Promise<View[]> } | null = null;
let version = 0;
const listeners = new Set<() => void>();

/** The list for `key` (the organisation and `viewsVersion()`), read once for whoever asks
 * within a short while; a failure is not kept. */
export function sharedViews(key: string): Promise<View[]> {
  if (shared && shared.key === key && Date.now() - shared.at < SHARED_MS) return shared.views;
  const views = listViews();
  const entry = { key, at: Date.now(), views };
  shared = entry;
  views.catch(() => {
    if (shared === entry) shared = null;
  });
  return views;
}

/** Moves with each change made in this tab. */
export const viewsVersion = () => version;

/** A view was saved or deleted here: the list (and the counts) are read again everywhere. */
export function viewsChanged(): void {
  version += 1;
  shared = null;
  for (const listener of listeners) listener();
}

export function onViewsChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}
