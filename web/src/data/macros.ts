/**
 * Macros: canned actions an agent applies to a ticket in one step (a reply or a note, a status,
 * a priority, an assignment, tags). Everyone on the staff lists them; owners and admins keep
 * them. An agent previews one (nothing written), reviews it in the composer, then applies it.
 */

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export type Macro = ResponseBody<'GET', '/v1/macros'>['data'][number];
export type NewMacro = JsonBody<'POST', '/v1/macros'>;
/** Each field optional; `null` clears the body, the status, the priority or the assignment. */
export type MacroChanges = JsonBody<'PATCH', '/v1/macros/{id}'>;
/** The route's answer: the macro applied, or (`?preview=true`) what it would do. */
type MacroOutcome = ResponseBody<'POST', '/v1/tickets/{id}/macros/{macro_id}'>;
/** The ticket as it stands after the macro, and the message it posted (if it posts one). */
export type MacroApplied = Extract<MacroOutcome, { ticket: unknown }>;
/** What the macro would do, written nowhere: its message filled for the ticket (plain text) and
 * only what it would change on the ticket now. */
export type MacroPreview = Extract<MacroOutcome, { changes: unknown }>;
/** The macro as the agent reviewed it: the message to post in place of the template (HTML), and
 * the changes taken out. */
export type MacroReviewed = NonNullable<JsonBody<'POST', '/v1/tickets/{id}/macros/{macro_id}'>>;

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

/** Refused as the apply would be (`invalid_transition`, `ticket_closed`, `fields_required`). */
export async function previewMacro(ticketId: number, macroId: number): Promise<MacroPreview> {
  const outcome = await api('POST', '/v1/tickets/{id}/macros/{macro_id}', { path: { id: ticketId, macro_id: macroId }, query: { preview: true }, body: {} });
  if ('changes' in outcome) return outcome;
  throw new Error('the macro preview answered with an applied macro');
}

/** All or nothing: a refused status move (`invalid_transition`) or a closed ticket changes nothing. */
export async function applyMacro(ticketId: number, macroId: number, reviewed: MacroReviewed): Promise<MacroApplied> {
  const outcome = await api('POST', '/v1/tickets/{id}/macros/{macro_id}', { path: { id: ticketId, macro_id: macroId }, body: reviewed });
  if ('ticket' in outcome) return outcome;
  throw new Error('the macro apply answered with a preview');
}
