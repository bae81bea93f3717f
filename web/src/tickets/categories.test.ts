import { describe, expect, it } from 'vitest';
import type { TicketCategory } from '../data/categories';
import { categoryName, categoryText, offeredCategories } from './categories';

const category = (key: string, en: string, fr: string | null, position: number, archived = false): TicketCategory => ({
  key,
  label: { en, fr },
  position,
  archived,
  created_at: '2030-01-01T00:00:00Z',
  updated_at: '2030-01-01T00:00:00Z',
});

const refund = category('refund', 'Refund', 'Remboursement', 1);
const warranty = category('warranty', 'Warranty', null, 2);
const other = category('other', 'Other', 'Autre', 3, true);
const list = [refund, warranty, other];

describe('a category in words', () => {
  it('says its French label to French readers when it has one, else its English one', () => {
    expect(categoryName(refund, 'fr')).toBe('Remboursement');
    expect(categoryName(refund, 'en')).toBe('Refund');
    expect(categoryName(warranty, 'fr')).toBe('Warranty');
    expect(categoryName(category('x', 'Parcel', '  ', 1), 'fr')).toBe('Parcel');
  });

  it('names a ticket’s category by the list, archived ones included, else by its key', () => {
    expect(categoryText('refund', list, 'fr')).toBe('Remboursement');
    expect(categoryText('other', list, 'en')).toBe('Other');
    // Unknown to the list (a customer is not told of archived ones), or while it loads.
    expect(categoryText('other', [refund, warranty], 'en')).toBe('other');
    expect(categoryText('b2b-returns', list, 'en')).toBe('b2b-returns');
    expect(categoryText('refund', undefined, 'en')).toBe('refund');
  });

  it('offers the active ones only, in their order', () => {
    expect(offeredCategories(list).map((c) => c.key)).toEqual(['refund', 'warranty']);
  });
});
