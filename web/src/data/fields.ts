/**
 * Ticket fields: the organisation's own questions about a ticket (an order reference, a product,
 * whether the warranty was checked), each of one type, which owners and admins define. Everyone
 * signed in reads the definitions (customers only the ones shown to them); the values are written
 * with the ticket (`fields` in `createTicket` and `updateTicket`).
 *
 * The console's settings, a ticket's properties, its history and the portal's pages read the list
 * at once: they share one answer for a short while, and a change made here reads it again
 * everywhere (`fieldsChanged`).
 */

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export type FieldDefinition = ResponseBody<'GET', '/v1/fields'>[number];
export type NewFieldDefinition = JsonBody<'POST', '/v1/fields'>;
export type FieldDefinitionChange = JsonBody<'PATCH', '/v1/fields/{key}'>;
export type FieldType = FieldDefinition['type'];
export type FieldOption = FieldDefinition['options'][number];
export type FieldLabel = FieldDefinition['label'];

/** The organisation's fields the caller may see, in their order (there are at most 100). */
export function listFields(signal?: AbortSignal): Promise<FieldDefinition[]> {
  return api('GET', '/v1/fields', { signal });
}

export function createField(field: NewFieldDefinition): Promise<FieldDefinition> {
  return api('POST', '/v1/fields', { body: field });
}

/** Each part optional; `options` is the whole list. The key and the type never change. */
export function changeField(key: string, change: FieldDefinitionChange): Promise<FieldDefinition> {
  return api('PATCH', '/v1/fields/{key}', { path: { key }, body: change });
}

/** Its values on every ticket go with it. */
export async function removeField(key: string): Promise<void> {
  await api('DELETE', '/v1/fields/{key}', { path: { key } });
}

/** How long one answer of the list serves every view that asks. */
const SHARED_MS = 30_000;

let shared: { key: string; at: number; fields: Promise<FieldDefinition[]> } | null = null;
let version = 0;
const listeners = new Set<() => void>();

/** The list for `key` (the organisation, the caller and `fieldsVersion()`), read once for every
 * view that asks within a short while; a failure is not kept. */
export function sharedFields(key: string): Promise<FieldDefinition[]> {
  if (shared && shared.key === key && Date.now() - shared.at < SHARED_MS) return shared.fields;
  const fields = listFields();
  const entry = { key, at: Date.now(), fields };
  shared = entry;
  fields.catch(() => {
    if (shared === entry) shared = null;
  });
  return fields;
}

/** Moves with each change made in this tab. */
export const fieldsVersion = () => version;

/** A field was made, changed or deleted here: every view reads the list again. */
export function fieldsChanged(): void {
  version += 1;
  shared = null;
  for (const listener of listeners) listener();
}

export function onFieldsChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}
