import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../api/problem';
import { setLocale } from '../i18n';
import {
  fieldChanges,
  fieldKeyOf,
  fieldName,
  formatDay,
  fromInput,
  isDate,
  isEmpty,
  labelIn,
  parseNumber,
  quotedFields,
  requiredFieldsOf,
  sameValue,
  serverFieldErrors,
  toInput,
  valueText,
} from './fields';
import { fieldDefinition } from './fields.fixture';

const field = fieldDefinition;

const colour = field({
  key: 'colour',
  label: { en: 'Colour', fr: null },
  type: 'dropdown',
  options: [
    { value: 'red', label: { en: 'Red', fr: 'Rouge' } },
    { value: 'blue', label: { en: 'Blue', fr: null } },
  ],
});
const sizes = field({ ...colour, key: 'sizes', label: { en: 'Sizes' }, type: 'multiselect' });
const amount = field({ key: 'amount', label: { en: 'Amount' }, type: 'number' });
const bought = field({ key: 'bought_on', label: { en: 'Bought on' }, type: 'date' });
const warranty = field({ key: 'warranty', label: { en: 'Warranty checked', fr: 'Garantie vérifiée' }, type: 'checkbox', required_to_resolve: true });

describe('labels', () => {
  it('are in French when there is a French one, else in English', () => {
    expect(labelIn({ en: 'Colour', fr: 'Couleur' }, 'fr')).toBe('Couleur');
    expect(labelIn({ en: 'Colour', fr: null }, 'fr')).toBe('Colour');
    expect(labelIn({ en: 'Colour', fr: '  ' }, 'fr')).toBe('Colour');
    expect(labelIn({ en: 'Colour', fr: 'Couleur' }, 'en')).toBe('Colour');
    expect(fieldName(warranty, 'fr')).toBe('Garantie vérifiée');
  });
});

describe('values from the controls', () => {
  it('read what each control holds, empty as null', () => {
    expect(fromInput(field(), 'A-123')).toEqual({ value: 'A-123' });
    expect(fromInput(field(), '   ')).toEqual({ value: null });
    expect(fromInput(field(), 'x'.repeat(2001))).toEqual({ error: 'fields.value.text_long' });
    expect(fromInput(amount, '12')).toEqual({ value: 12 });
    expect(fromInput(amount, ' 4,5 ')).toEqual({ value: 4.5 });
    expect(fromInput(amount, '1 234.5')).toEqual({ value: 1234.5 });
    expect(fromInput(amount, '-3')).toEqual({ value: -3 });
    expect(fromInput(amount, '')).toEqual({ value: null });
    expect(fromInput(amount, 'twelve')).toEqual({ error: 'fields.value.number' });
    expect(fromInput(bought, '2026-11-20')).toEqual({ value: '2026-11-20' });
    expect(fromInput(bought, '2026-02-30')).toEqual({ error: 'fields.value.date' });
    expect(fromInput(bought, '')).toEqual({ value: null });
    expect(fromInput(warranty, true)).toEqual({ value: true });
    expect(fromInput(warranty, false)).toEqual({ value: false });
    expect(fromInput(colour, 'red')).toEqual({ value: 'red' });
    expect(fromInput(colour, '')).toEqual({ value: null });
    expect(fromInput(colour, 'green')).toEqual({ error: 'fields.value.option' });
    // A multiselect's choices in the order the field lists them.
    expect(fromInput(sizes, ['blue', 'red'])).toEqual({ value: ['red', 'blue'] });
    expect(fromInput(sizes, [])).toEqual({ value: null });
    expect(fromInput(sizes, ['green'])).toEqual({ error: 'fields.value.option' });
  });

  it('put what a ticket holds back into the controls', () => {
    expect(toInput('text', 'A-123')).toBe('A-123');
    expect(toInput('text', undefined)).toBe('');
    expect(toInput('number', 4.5)).toBe('4.5');
    expect(toInput('number', null)).toBe('');
    expect(toInput('date', '2026-11-20')).toBe('2026-11-20');
    expect(toInput('checkbox', true)).toBe(true);
    expect(toInput('checkbox', undefined)).toBe(false);
    expect(toInput('dropdown', 'red')).toBe('red');
    expect(toInput('multiselect', ['red', 3])).toEqual(['red']);
    expect(toInput('multiselect', undefined)).toEqual([]);
  });

  it('read numbers and days strictly', () => {
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('1.2.3')).toBeNull();
    expect(parseNumber('1,5,6')).toBeNull();
    expect(parseNumber('Infinity')).toBeNull();
    expect(parseNumber('1e16')).toBeNull();
    expect(isDate('2028-02-29')).toBe(true);
    expect(isDate('2027-02-29')).toBe(false);
    expect(isDate('20/11/2026')).toBe(false);
  });
});

describe('what counts as empty and as the same', () => {
  it('follows the server: false, "" and [] are empty', () => {
    for (const value of [null, undefined, false, '', []]) expect(isEmpty(value)).toBe(true);
    for (const value of [true, 0, 'a', ['a']]) expect(isEmpty(value)).toBe(false);
  });

  it('takes an unticked box for one never set, and a multiselect in any order', () => {
    expect(sameValue('checkbox', false, undefined)).toBe(true);
    expect(sameValue('checkbox', true, undefined)).toBe(false);
    expect(sameValue('multiselect', ['a', 'b'], ['b', 'a'])).toBe(true);
    expect(sameValue('multiselect', null, [])).toBe(true);
    expect(sameValue('number', 4.5, 4.5)).toBe(true);
    expect(sameValue('text', null, 'a')).toBe(false);
  });
});

describe('what a form sends', () => {
  const fields = [field(), colour, amount, warranty, sizes];

  it('sends only the fields changed, null for one emptied', () => {
    const held = { order_ref: 'A-1', colour: 'red', amount: 3 };
    expect(fieldChanges(fields, { order_ref: 'A-2', colour: 'red', amount: '', warranty: true, sizes: [] }, held)).toEqual({
      changes: { order_ref: 'A-2', amount: null, warranty: true },
      errors: {},
    });
    expect(fieldChanges(fields, {}, held)).toEqual({ changes: {}, errors: {} });
    expect(fieldChanges(fields, { amount: '3.0' }, held)).toEqual({ changes: {}, errors: {} });
  });

  it('says why a value would be refused, by key', () => {
    expect(fieldChanges(fields, { amount: 'lots', order_ref: 'B' }, {})).toEqual({ changes: { order_ref: 'B' }, errors: { amount: 'fields.value.number' } });
  });

  it('for a new ticket, only what was given', () => {
    expect(fieldChanges(fields, { order_ref: '', warranty: false, colour: 'blue' }, {})).toEqual({ changes: { colour: 'blue' }, errors: {} });
  });
});

describe('values in words', () => {
  it('in the page’s language', () => {
    setLocale('en');
    expect(valueText(field(), 'A-123')).toBe('A-123');
    expect(valueText(field(), undefined)).toBe('');
    expect(valueText(amount, 1234.5)).toBe('1,234.5');
    expect(valueText(warranty, true)).toBe('Yes');
    expect(valueText(warranty, false)).toBe('No');
    expect(valueText(colour, 'red')).toBe('Red');
    expect(valueText(colour, 'gone')).toBe('gone');
    expect(valueText(sizes, ['red', 'blue'])).toBe('Red and Blue');
    expect(valueText(bought, '2026-11-20')).toBe(formatDay('2026-11-20'));
    expect(formatDay('2026-11-20')).toMatch(/20/);
    setLocale('fr');
    expect(valueText(amount, 1234.5)).toBe('1\u202f234,5');
    expect(valueText(warranty, true)).toBe('Oui');
    expect(valueText(sizes, ['red', 'blue'])).toBe('Rouge et Blue');
    expect(quotedFields(['warranty', 'gone_key'], [warranty])).toBe('« Garantie vérifiée » et « gone_key »');
    setLocale('en');
    expect(quotedFields(['warranty', 'order_ref'], [warranty, field()])).toBe('“Warranty checked” and “Order reference”');
  });
});

describe('the server’s refusals', () => {
  const refusal = (code: string, errors: { field: string; message: string }[], extra: Record<string, unknown> = {}) => new ApiProblem({ status: 422, code, errors, extra });

  it('name fields by key', () => {
    expect(fieldKeyOf('fields.order_ref')).toBe('order_ref');
    expect(fieldKeyOf('fields.sizes[1]')).toBe('sizes');
    expect(fieldKeyOf('subject')).toBeNull();
    expect(serverFieldErrors(refusal('validation_failed', [{ field: 'fields.amount', message: 'must be a number' }, { field: 'subject', message: 'too long' }]))).toEqual({
      amount: 'must be a number',
    });
    expect(serverFieldErrors(new Error('network'))).toEqual({});
  });

  it('list the fields a move to resolved found empty', () => {
    const missing = refusal('fields_required', [
      { field: 'fields.warranty', message: 'required to resolve' },
      { field: 'fields.order_ref', message: 'required to resolve' },
    ]);
    expect(requiredFieldsOf(missing)).toEqual(['warranty', 'order_ref']);
    expect(requiredFieldsOf(refusal('fields_required', [], { fields: ['warranty'] }))).toEqual(['warranty']);
    expect(requiredFieldsOf(refusal('invalid_transition', []))).toBeNull();
  });
});
