/**
 * Macros as the console reads them: the placeholders a body may hold, the admin form checked
 * before the server (which stays the authority), what a macro does in a few words, and the
 * picker's filter.
 */

import type { Priority, TicketStatus } from '../api/schemas';
import type { Macro, NewMacro } from '../data/macros';
import type { MessageKey } from '../i18n';
import { MAX_TAGS, TAG, normaliseTag } from './tags';

/** The placeholders the server fills (as text, never markup) when it posts a macro's body. */
export const PLACEHOLDERS = ['customer.firstname', 'ticket.number', 'agent.firstname'] as const;

export const MACRO_NAME_MAX = 100;
export const MACRO_BODY_MAX = 20000;

/** `{{ name }}` in a body, spaces inside the braces allowed. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholder names a body uses, each once, in the order they first appear. */
export function placeholdersIn(body: string): string[] {
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/** The names in `{{...}}` that the server would refuse. */
export function unknownPlaceholders(body: string): string[] {
  return placeholdersIn(body).filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
}

/** How a placeholder is written in a body. */
export const placeholderText = (name: string) => `{{${name}}}`;

/** The form as typed: `''` for "leave it as it is" in the status, priority and assignment. */
export interface MacroFormValues {
  name: string;
  body: string;
  isInternal: boolean;
  status: TicketStatus | '';
  priority: Priority | '';
  /** `me`, `nobody` or a staff member's id. */
  assignTo: string;
  /** The tags to add, separated by commas or spaces. */
  tags: string;
}

export type MacroField = 'name' | 'body' | 'tags' | 'form';

export interface FormError {
  key: MessageKey;
  params?: Record<string, string>;
}

export const EMPTY_MACRO: MacroFormValues = { name: '', body: '', isInternal: false, status: '', priority: '', assignTo: '', tags: '' };

export function formValues(macro: Macro): MacroFormValues {
  return {
    name: macro.name,
    body: macro.body ?? '',
    isInternal: macro.is_internal,
    status: macro.status ?? '',
    priority: macro.priority ?? '',
    assignTo: macro.assign_to ?? '',
    tags: macro.add_tags.join(', '),
  };
}

/** The tags typed in the form, as the server reads each (trimmed, lower-cased), once each. */
export function tagsIn(typed: string): string[] {
  return [...new Set(typed.split(/[\s,]+/).map(normaliseTag).filter(Boolean))];
}

const chars = (value: string) => [...value].length;

/** The errors to show, or the request to send: the whole macro, `null` for what it leaves alone
 * (the same body creates a macro and replaces one). */
export function checkMacroForm(form: MacroFormValues): { errors: Partial<Record<MacroField, FormError>>; request: NewMacro | null } {
  const errors: Partial<Record<MacroField, FormError>> = {};
  const name = form.name.trim();
  const body = form.body.trim();
  if (!name) errors.name = { key: 'macros.form.name_required' };
  else if (chars(name) > MACRO_NAME_MAX) errors.name = { key: 'macros.form.name_long' };
  const unknown = unknownPlaceholders(body);
  if (unknown.length) errors.body = { key: 'macros.form.unknown_placeholder', params: { names: unknown.map(placeholderText).join(', ') } };
  else if (chars(body) > MACRO_BODY_MAX) errors.body = { key: 'macros.form.body_long' };
  const tags = tagsIn(form.tags);
  const notTags = tags.filter((tag) => !TAG.test(tag));
  if (notTags.length) errors.tags = { key: 'macros.form.tags_invalid', params: { tags: notTags.join(', ') } };
  else if (tags.length > MAX_TAGS) errors.tags = { key: 'macros.form.tags_many' };
  if (!body && !form.status && !form.priority && !form.assignTo && !tags.length) errors.form = { key: 'macros.form.does_nothing' };
  if (Object.keys(errors).length) return { errors, request: null };
  return {
    errors,
    request: {
      name,
      body: body || null,
      is_internal: body ? form.isInternal : false,
      status: form.status || null,
      priority: form.priority || null,
      assign_to: form.assignTo || null,
      add_tags: tags,
    },
  };
}

/** One thing a macro does, in the order it is told. */
export type MacroEffect =
  | { kind: 'reply' | 'note'; text: string }
  | { kind: 'status'; status: TicketStatus }
  | { kind: 'priority'; priority: Priority }
  | { kind: 'assign'; to: string }
  | { kind: 'tags'; tags: string[] };

export function macroEffects(macro: Pick<Macro, 'body' | 'is_internal' | 'status' | 'priority' | 'assign_to' | 'add_tags'>): MacroEffect[] {
  const effects: MacroEffect[] = [];
  if (macro.body?.trim()) effects.push({ kind: macro.is_internal ? 'note' : 'reply', text: macro.body.trim() });
  if (macro.status) effects.push({ kind: 'status', status: macro.status });
  if (macro.priority) effects.push({ kind: 'priority', priority: macro.priority });
  if (macro.assign_to) effects.push({ kind: 'assign', to: macro.assign_to });
  if (macro.add_tags.length) effects.push({ kind: 'tags', tags: macro.add_tags });
  return effects;
}

/** Lower case, without accents: "Réponse" is found by typing "repo". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The macros matching what was typed in the picker: every word in the name or the body, those
 * whose name starts with it first, then those whose name holds it all, then the rest; each group
 * in the server's order (by name). */
export function filterMacros<M extends Pick<Macro, 'name' | 'body'>>(macros: readonly M[], query: string): M[] {
  const q = fold(query).trim();
  if (!q) return [...macros];
  const words = q.split(/\s+/);
  const ranked: [number, M][] = [];
  for (const macro of macros) {
    const name = fold(macro.name);
    const text = `${name} ${fold(macro.body ?? '')}`;
    if (!words.every((w) => text.includes(w))) continue;
    const rank = name.startsWith(q) ? 0 : words.every((w) => name.includes(w)) ? 1 : 2;
    ranked.push([rank, macro]);
  }
  return ranked.sort((a, b) => a[0] - b[0]).map(([, macro]) => macro);
}
