/**
 * The organisation's ticket categories as pages show them: a category's label in the reader's
 * language, the ones offered for a new ticket, and a ticket's category in words (the label of a
 * category the list holds, archived ones included when staff read them; else the key itself).
 */

import type { TicketCategory } from '../data/categories';
import type { Locale } from '../i18n';
import { labelIn } from './fields';

/** Its label in the page's language: the French one when there is one, else the English one. */
export const categoryName = (category: Pick<TicketCategory, 'label'>, locale?: Locale): string => labelIn(category.label, locale);

/** The categories a new ticket may take, in their order (the archived ones are not). */
export function offeredCategories(categories: readonly TicketCategory[]): TicketCategory[] {
  return categories.filter((category) => !category.archived);
}

/** Ticket category `key` in words: the label of the category the list holds, else the key as it is
 * (one the list no longer names, or while it loads). */
export function categoryText(key: string, categories: readonly TicketCategory[] | undefined, locale?: Locale): string {
  const known = categories?.find((category) => category.key === key);
  return known ? categoryName(known, locale) : key;
}
