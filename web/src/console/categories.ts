/**
 * The Categories page's rules: a category's form (its key, which never changes, and its labels),
 * its checks, what it sends, the server's refusals by field, and the positions a move sets.
 */

import type { FieldLabel } from '../data/fields';
import type { NewTicketCategory, TicketCategory, TicketCategoryChange } from '../data/categories';
import type { MessageKey } from '../i18n';

/** What the server takes as a key: `[a-z0-9][a-z0-9_-]{0,63}`. */
export const CATEGORY_KEY = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const CATEGORY_KEY_MAX = 64;
export const CATEGORY_LABEL_MAX = 100;

export interface CategoryFormValues {
  key: string;
  en: string;
  fr: string;
}

/** Where an error shows: beside a field, or at the form's end (`form`). */
export type CategoryFormError = keyof CategoryFormValues | 'form';

export const EMPTY_CATEGORY_FORM: CategoryFormValues = { key: '', en: '', fr: '' };

export function categoryFormValues(category: TicketCategory): CategoryFormValues {
  return { key: category.key, en: category.label.en, fr: category.label.fr ?? '' };
}

const chars = (value: string) => [...value.trim()].length;

/** The errors to show, or the labels to send (no French one when it is left empty). `editing`:
 * the key is not the form's to check. */
export function checkCategoryForm(values: CategoryFormValues, editing = false): { errors: Partial<Record<CategoryFormError, MessageKey>>; label: FieldLabel | null } {
  const errors: Partial<Record<CategoryFormError, MessageKey>> = {};
  if (!editing) {
    const key = values.key.trim();
    if (!key) errors.key = 'categories.form.key_missing';
    else if (!CATEGORY_KEY.test(key)) errors.key = 'categories.form.key_invalid';
  }
  if (!chars(values.en)) errors.en = 'categories.form.en_missing';
  else if (chars(values.en) > CATEGORY_LABEL_MAX) errors.en = 'categories.form.label_long';
  if (chars(values.fr) > CATEGORY_LABEL_MAX) errors.fr = 'categories.form.label_long';
  if (Object.keys(errors).length) return { errors, label: null };
  const fr = values.fr.trim();
  return { errors, label: fr ? { en: values.en.trim(), fr } : { en: values.en.trim() } };
}

/** A new category, after the others. */
export function newCategoryRequest(values: CategoryFormValues, label: FieldLabel): NewTicketCategory {
  return { key: values.key.trim(), label };
}

/** What a rename sends: the labels, or nothing when they are as they were. */
export function labelChange(category: TicketCategory, label: FieldLabel): TicketCategoryChange | null {
  const same = label.en === category.label.en && (label.fr ?? null) === (category.label.fr ?? null);
  return same ? null : { label };
}

/** The form's field for a field the server refused (`key`, `label.en`), with the words to show
 * there; the form's end for the others. */
export function categoryErrorOf(field: string): { error: CategoryFormError; message: MessageKey } {
  if (field === 'key') return { error: 'key', message: 'categories.form.key_invalid' };
  if (field === 'label.en' || field === 'label') return { error: 'en', message: 'categories.form.label_long' };
  if (field === 'label.fr') return { error: 'fr', message: 'categories.form.label_long' };
  return { error: 'form', message: 'error.check_fields' };
}

/** A position to set. */
export interface Placement {
  key: string;
  position: number;
}

/** The positions that swap the category at `index` of `list` (in its order) with its neighbour
 * `by` away, the others keeping their places: the list is numbered 1, 2, 3... in its new order,
 * and only the categories whose position that changes are sent (two for a list numbered so, as
 * the first one and every one added after the others are; ties and gaps are numbered away). */
export function movedPositions(list: readonly Pick<TicketCategory, 'key' | 'position'>[], index: number, by: -1 | 1): Placement[] {
  const to = index + by;
  if (index < 0 || index >= list.length || to < 0 || to >= list.length) return [];
  const order = [...list];
  [order[index], order[to]] = [order[to]!, order[index]!];
  return order.flatMap((category, place) => (category.position === place + 1 ? [] : [{ key: category.key, position: place + 1 }]));
}

/** `list` with the categories the server answered in place of the ones they were, in the list's
 * order (by position, then key). */
export function withCategories(list: readonly TicketCategory[], changed: readonly TicketCategory[]): TicketCategory[] {
  const byKey = new Map(changed.map((category) => [category.key, category]));
  const kept = list.map((category) => byKey.get(category.key) ?? category);
  const added = changed.filter((category) => !list.some((held) => held.key === category.key));
  return [...kept, ...added].sort((a, b) => a.position - b.position || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
