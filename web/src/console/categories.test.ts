import { describe, expect, it } from 'vitest';
import type { TicketCategory } from '../data/categories';
import { EMPTY_CATEGORY_FORM, categoryErrorOf, checkCategoryForm, labelChange, movedPositions, newCategoryRequest, withCategories, type CategoryFormValues } from './categories';

const category = (key: string, position: number, label: TicketCategory['label'] = { en: key }): TicketCategory => ({
  key,
  label,
  position,
  archived: false,
  created_at: '2030-01-01T00:00:00Z',
  updated_at: '2030-01-01T00:00:00Z',
});

const form = (over: Partial<CategoryFormValues>): CategoryFormValues => ({ ...EMPTY_CATEGORY_FORM, ...over });

describe('the category form', () => {
  it('asks for a key of the server’s shape and an English label', () => {
    expect(checkCategoryForm(form({})).errors).toEqual({ key: 'categories.form.key_missing', en: 'categories.form.en_missing' });
    for (const key of ['Warranty', '-x', 'a b', 'é', 'k'.repeat(65)]) {
      expect(checkCategoryForm(form({ key, en: 'x' })).errors, key).toEqual({ key: 'categories.form.key_invalid' });
    }
    for (const key of ['warranty', 'b2b-returns', '7days', 'k'.repeat(64)]) expect(checkCategoryForm(form({ key, en: 'x' })).errors, key).toEqual({});
    expect(checkCategoryForm(form({ key: 'a', en: 'x'.repeat(101), fr: 'é'.repeat(101) })).errors).toEqual({ en: 'categories.form.label_long', fr: 'categories.form.label_long' });
    // A category renamed keeps its key: it is not the form's to check.
    expect(checkCategoryForm(form({ en: 'x' }), true).errors).toEqual({});
  });

  it('sends the labels trimmed, the French one only when given', () => {
    const values = form({ key: ' warranty ', en: ' Warranty ', fr: ' Garantie ' });
    const { label } = checkCategoryForm(values);
    expect(label).toEqual({ en: 'Warranty', fr: 'Garantie' });
    expect(newCategoryRequest(values, label!)).toEqual({ key: 'warranty', label: { en: 'Warranty', fr: 'Garantie' } });
    expect(checkCategoryForm(form({ key: 'warranty', en: 'Warranty', fr: '  ' })).label).toEqual({ en: 'Warranty' });
  });

  it('sends a rename only when a label changed, a French one taken away included', () => {
    const refund = category('refund', 1, { en: 'Refund', fr: 'Remboursement' });
    expect(labelChange(refund, { en: 'Refund', fr: 'Remboursement' })).toBeNull();
    expect(labelChange(refund, { en: 'Refunds', fr: 'Remboursement' })).toEqual({ label: { en: 'Refunds', fr: 'Remboursement' } });
    expect(labelChange(refund, { en: 'Refund' })).toEqual({ label: { en: 'Refund' } });
    expect(labelChange(category('x', 1, { en: 'X', fr: null }), { en: 'X' })).toBeNull();
  });

  it('says the server’s refusals beside the field they name', () => {
    expect(categoryErrorOf('key')).toEqual({ error: 'key', message: 'categories.form.key_invalid' });
    expect(categoryErrorOf('label.en').error).toBe('en');
    expect(categoryErrorOf('label.fr').error).toBe('fr');
    expect(categoryErrorOf('position').error).toBe('form');
  });
});

describe('a move', () => {
  const seeded = ['order', 'delivery', 'return', 'other', 'warranty'].map((key, i) => category(key, i + 1));

  it('swaps two neighbours of a list numbered 1, 2, 3...', () => {
    expect(movedPositions(seeded, 4, -1)).toEqual([
      { key: 'warranty', position: 4 },
      { key: 'other', position: 5 },
    ]);
    expect(movedPositions(seeded, 0, 1)).toEqual([
      { key: 'delivery', position: 1 },
      { key: 'order', position: 2 },
    ]);
  });

  it('goes nowhere past either end', () => {
    expect(movedPositions(seeded, 0, -1)).toEqual([]);
    expect(movedPositions(seeded, 4, 1)).toEqual([]);
  });

  it('numbers ties and gaps away, so the order shown is the order kept', () => {
    // "other" archived left a gap at 4; two categories tie at 7 (shown in key order).
    const list = [category('order', 1), category('delivery', 2), category('return', 3), category('b', 7), category('c', 7)];
    expect(movedPositions(list, 4, -1)).toEqual([
      { key: 'c', position: 4 },
      { key: 'b', position: 5 },
    ]);
    const moved = withCategories(list, movedPositions(list, 4, -1).map(({ key, position }) => category(key, position)));
    expect(moved.map((c) => c.key)).toEqual(['order', 'delivery', 'return', 'c', 'b']);
  });

  it('keeps a category moved all the way up first, whatever the positions were', () => {
    let list = [category('a', 10), category('b', 20), category('c', 30), category('new', 31)];
    for (let index = 3; index > 0; index -= 1) {
      list = withCategories(list, movedPositions(list, index, -1).map(({ key, position }) => category(key, position)));
    }
    expect(list.map((c) => [c.key, c.position])).toEqual([
      ['new', 1],
      ['a', 2],
      ['b', 3],
      ['c', 4],
    ]);
  });
});

describe('the list after a change', () => {
  it('takes the server’s answers in place, a new category in its order', () => {
    const list = [category('a', 1), category('b', 2)];
    expect(withCategories(list, [category('z', 3), category('a', 5)]).map((c) => c.key)).toEqual(['b', 'z', 'a']);
  });
});
