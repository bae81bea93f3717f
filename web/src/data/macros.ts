//! Macros: canned actions an agent applies to a ticket in one step (a reply or a note, a status,
//! a priority, an assignment). Everyone on the staff lists them; owners and admins keep them.

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export type Macro = ResponseBody<'GET', '/v1/macros'>['data'][number];
export type NewMacro = JsonBody<'POST', '/v1/macros'>;
/** Each field optional; `null` clears the body, the status, the priority or the assignment. */
export type MacroChanges = JsonBody<'PATCH', '/v1/macros/{id}'>;
/** The ticket as it stands after the macro, and the message it posted (if it posts one). */
export type MacroApplied = ResponseBody<'POST', '/v1/tickets/{id}/macros/{macro_id}'>;

/** The tenant's macros, ordered by name (there are at most 200). */
export async function listMacros(signal?: AbortSignal): Promise<Macro[]> {
  return (await api('GET', '/v1/macros', { signal })).data;
}

export function createMacro(macro: NewMacro): Promise<Macro> {
  return api('POST', '/v1/macros', { body: macro });
}

export function updateMacro(id: number, changes: MacroChanges): Promise<Macro> {
  return api('PATCH', '/v1/macros/{id}', { path: { id }, body: changes });
}

export async function deleteMacro(id: number): Promise<void> {
  await api('DELETE', '/v1/macros/{id}', { path: { id } });
}

/** All or nothing: a refused status move (`invalid_transition`) or a closed ticket changes nothing. */
export function applyMacro(ticketId: number, macroId: number): Promise<MacroApplied> {
  return api('POST', '/v1/tickets/{id}/macros/{macro_id}', { path: { id: ticketId, macro_id: macroId } });
}
