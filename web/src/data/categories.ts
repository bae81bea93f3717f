/**
 * Ticket categories: the organisation's list (`/v1/categories`), each a key tickets hold, a label
 * in English and French, a place in the list, and whether it is archived (no longer offered, kept
 * on the tickets that hold it). Everyone on the organisation's host reads the active ones; staff
 * read the archived ones too, to name them on tickets; owners and admins keep the list.
 *
 * The portal's form, the queue's filter and a ticket's facts read the list at once: they share
 * one answer for a short while, and a change made here reads it again everywhere
 * (`categoriesChanged`), as the fields and the teams do.
 */

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export type TicketCategory = ResponseBody<'GET', '/v1/categories'>['data'][number];
export type NewTicketCategory = JsonBody<'POST', '/v1/categories'>;
export type TicketCategoryChange = JsonBody<'PATCH', '/v1/categories/{key}'>;

/** The categories by position then key; `archived` (staff only) adds the archived ones. */
export async function listTicketCategories(archived: boolean, signal?: AbortSignal): Promise<TicketCategory[]> {
  return (await api('GET', '/v1/categories', { query: archived ? { archived } : {}, signal })).data;
}

export function createTicketCategory(category: NewTicketCategory): Promise<TicketCategory> {
  return api('POST', '/v1/categories', { body: category });
}

/** Each part optional; the key never changes. */
export function changeTicketCategory(key: string, change: TicketCategoryChange): Promise<TicketCategory> {
  return api('PATCH', '/v1/categories/{key}', { path: { key }, body: change });
}

/** How long one answer of the list serves every view that asks. */
const SHARED_MS = 30_000;

let shared: { key: string; at: number; categories: Promise<TicketCategory[]> } | null = null;
let version = 0;
const listeners = new Set<() => void>();

/** The list for `key` (the organisation, whether archived ones are asked, and
 * `categoriesVersion()`), read once for every view that asks within a short while; a failure is
 * not kept. */
export function sharedCategories(key: string, archived: boolean): Promise<TicketCategory[]> {
  if (shared && shared.key === key && Date.now() - shared.at < SHARED_MS) return shared.categories;
  const categories = listTicketCategories(archived);
  const entry = { key, at: Date.now(), categories };
  shared = entry;
  categories.catch(() => {
    if (shared === entry) shared = null;
  });
  return categories;
}

/** Moves with each change made in this tab. */
export const categoriesVersion = () => version;

/** A category was made or changed here: every view reads the list again. */
export function categoriesChanged(): void {
  version += 1;
  shared = null;
  for (const listener of listeners) listener();
}

export function onCategoriesChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}
