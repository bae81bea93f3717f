/**
 * A ticket's fields as the portal and the console handle them, in plain functions: each field's
 * value as its control holds it (text as typed, a box ticked or not, the options chosen) and back
 * as the API takes it (`null` clears one), what counts as empty (the server's rule for the fields
 * required to resolve), a value in words, and the server's refusals by field. The server decides
 * what a ticket holds; these only spare a round trip for what it would refuse anyway.
 */

import { ApiProblem } from '../api/problem';
import type { FieldDefinition, FieldLabel, FieldType } from '../data/fields';
import { formatNumber, getLocale, t, type Locale, type MessageKey } from '../i18n';

/** A value as the API holds it. */
export type FieldValue = string | number | boolean | string[];

/** A value as its control holds it: text for text, numbers and dates (`''` when empty), a tick for
 * a checkbox, an option's value for a dropdown (`''` for none), the options chosen for a
 * multiselect. */
export type FieldInput = string | boolean | string[];

/** The longest text a text field holds, in characters. */
export const TEXT_MAX = 2000;

export const FIELD_TYPES = ['text', 'number', 'date', 'checkbox', 'dropdown', 'multiselect'] as const satisfies readonly FieldType[];

export const TYPE_LABEL: Record<FieldType, MessageKey> = {
  text: 'fields.type.text',
  number: 'fields.type.number',
  date: 'fields.type.date',
  checkbox: 'fields.type.checkbox',
  dropdown: 'fields.type.dropdown',
  multiselect: 'fields.type.multiselect',
};

/** Whether a field of this type offers a list of options. */
export const hasOptions = (type: FieldType) => type === 'dropdown' || type === 'multiselect';

/** A label in the page's language: the French one when there is one, else the English one. */
export function labelIn(label: FieldLabel, locale: Locale = getLocale()): string {
  const french = locale === 'fr' ? label.fr?.trim() : '';
  return french || label.en;
}

export const fieldName = (field: Pick<FieldDefinition, 'label'>, locale?: Locale) => labelIn(field.label, locale);

/** An option's label, or the value itself for an option the field no longer has. */
export function optionName(field: Pick<FieldDefinition, 'options'>, value: string, locale?: Locale): string {
  const option = field.options.find((o) => o.value === value);
  return option ? labelIn(option.label, locale) : value;
}

/** Whether a value counts as not filled in: absent, `false`, `""` or `[]` (as the server counts
 * them for the fields required to resolve). */
export function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === false || value === '' || (Array.isArray(value) && value.length === 0);
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The control's value for what the ticket holds (`undefined`: nothing). */
export function toInput(type: FieldType, value: unknown): FieldInput {
  switch (type) {
    case 'checkbox':
      return value === true;
    case 'multiselect':
      return strings(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
    default:
      return typeof value === 'string' ? value : '';
  }
}

export type Parsed = { value: FieldValue | null } | { error: MessageKey };

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The largest number a number field holds, either way. */
export const NUMBER_MAX = 1e15;

/** A number as typed: spaces between thousands and a decimal comma are read too. */
export function parseNumber(text: string): number | null {
  let compact = text.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (compact.includes(',') && !compact.includes('.')) compact = compact.replace(',', '.');
  if (!NUMBER.test(compact)) return null;
  const value = Number(compact);
  return Number.isFinite(value) && Math.abs(value) <= NUMBER_MAX ? value : null;
}

/** Whether `text` is a day of the calendar written `YYYY-MM-DD`. */
export function isDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The control's value as the API takes it: `null` when empty (which clears the field), or why
 * the server would refuse it. */
export function fromInput(field: Pick<FieldDefinition, 'type' | 'options'>, input: FieldInput): Parsed {
  switch (field.type) {
    case 'checkbox':
      return { value: input === true };
    case 'multiselect': {
      const chosen = new Set(strings(input));
      if ([...chosen].some((v) => !field.options.some((o) => o.value === v))) return { error: 'fields.value.option' };
      // In the order the field lists its options.
      const value = field.options.map((o) => o.value).filter((v) => chosen.has(v));
      return { value: value.length ? value : null };
    }
    default: {
      const text = typeof input === 'string' ? input : '';
      if (!text.trim()) return { value: null };
      if (field.type === 'number') {
        const value = parseNumber(text);
        return value === null ? { error: 'fields.value.number' } : { value };
      }
      if (field.type === 'date') return isDate(text.trim()) ? { value: text.trim() } : { error: 'fields.value.date' };
      if (field.type === 'dropdown') return field.options.some((o) => o.value === text) ? { value: text } : { error: 'fields.value.option' };
      return [...text].length > TEXT_MAX ? { error: 'fields.value.text_long' } : { value: text };
    }
  }
}

/** Whether two values are the same for a field: an unticked box is the same as one never set, and
 * a multiselect's order does not count. */
export function sameValue(type: FieldType, a: unknown, b: unknown): boolean {
  if (type === 'checkbox') return (a === true) === (b === true);
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  if (type === 'multiselect') {
    const left = new Set(strings(a));
    const right = new Set(strings(b));
    return left.size === right.size && [...left].every((v) => right.has(v));
  }
  return a === b;
}

/** What a form sends, from the controls changed (`inputs`, by key) and what the ticket holds:
 * only the fields whose value differs (a colleague's change to another one is not undone), or
 * why some would be refused. */
export function fieldChanges(
  fields: readonly FieldDefinition[],
  inputs: Readonly<Record<string, FieldInput>>,
  held: Readonly<Record<string, unknown>>,
): { changes: Record<string, FieldValue | null>; errors: Record<string, MessageKey> } {
  const changes: Record<string, FieldValue | null> = {};
  const errors: Record<string, MessageKey> = {};
  for (const field of fields) {
    if (!(field.key in inputs)) continue;
    const parsed = fromInput(field, inputs[field.key]!);
    if ('error' in parsed) errors[field.key] = parsed.error;
    else if (!sameValue(field.type, parsed.value, held[field.key])) changes[field.key] = parsed.value;
  }
  return { changes, errors };
}

/** A day written `YYYY-MM-DD` in the page's language ("20 Nov 2026"), the same day wherever the
 * reader is. */
export function formatDay(text: string): string {
  if (!isDate(text)) return text;
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, day)));
}

/** A value in words: a number or a day in the page's language, Yes or No (a box unticked on
 * purpose is No), the options' labels; `''` for nothing. */
export function valueText(field: Pick<FieldDefinition, 'type' | 'options'> | undefined, value: unknown): string {
  if (typeof value === 'boolean') return t(value ? 'fields.value.yes' : 'fields.value.no');
  if (isEmpty(value)) return '';
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) return listOf(strings(value).map((v) => (field ? optionName(field, v) : v)));
  if (typeof value !== 'string') return JSON.stringify(value);
  if (field?.type === 'date') return formatDay(value);
  if (field?.type === 'dropdown') return optionName(field, value);
  return value;
}

/** "a, b and c" in the page's language. */
export function listOf(items: readonly string[]): string {
  return new Intl.ListFormat(getLocale(), { style: 'long', type: 'conjunction' }).format(items);
}

/** The key a server's error names (`fields.order_ref`), or `null` for one about something else. */
export function fieldKeyOf(name: string): string | null {
  const match = /^fields\.([^.[]+)/.exec(name);
  return match ? match[1]! : null;
}

/** The server's messages about fields, by key (the first of each). */
export function serverFieldErrors(error: unknown): Record<string, string> {
  const found: Record<string, string> = {};
  if (!(error instanceof ApiProblem)) return found;
  for (const e of error.errors) {
    const key = fieldKeyOf(e.field);
    if (key) found[key] ??= e.message;
  }
  return found;
}

/** The keys of the fields a move to `resolved` found empty (`fields_required`); `null` for any
 * other failure. */
export function requiredFieldsOf(error: unknown): string[] | null {
  if (!(error instanceof ApiProblem) || error.code !== 'fields_required') return null;
  const named = error.errors.map((e) => fieldKeyOf(e.field)).filter((key): key is string => key !== null);
  // The keys may come as a list of their own too.
  const listed = ['fields', 'keys'].flatMap((name) => strings(error.extra[name]));
  return [...new Set([...named, ...listed])];
}

/** Fields named in a sentence, each in the language's quotation marks, by their labels (a key
 * the list does not hold, by itself). */
export function quotedFields(keys: readonly string[], fields: readonly FieldDefinition[]): string {
  return listOf(keys.map((key) => t('fields.quoted', { field: nameOfKey(key, fields) })));
}

export function nameOfKey(key: string, fields: readonly FieldDefinition[]): string {
  const field = fields.find((f) => f.key === key);
  return field ? fieldName(field) : key;
}
