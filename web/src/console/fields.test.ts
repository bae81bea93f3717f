import { describe, expect, it } from 'vitest';
import type { FieldDefinition } from '../data/fields';
import { EMPTY_FIELD, checkFieldForm, emptyOption, fieldChange, fieldFormValues, formErrorOf, suggestKey, type FieldFormValues } from './fields';

const colour: FieldDefinition = {
  key: 'colour',
  label: { en: 'Colour', fr: 'Couleur' },
  type: 'dropdown',
  options: [
    { value: 'red', label: { en: 'Red', fr: 'Rouge' } },
    { value: 'blue', label: { en: 'Blue', fr: null } },
  ],
  required_to_resolve: false,
  visible_to_customer: true,
  editable_by_customer: false,
  position: 0,
  created_at: '2030-01-01T00:00:00Z',
  updated_at: '2030-01-01T00:00:00Z',
};

const form = (over: Partial<FieldFormValues>): FieldFormValues => ({ ...EMPTY_FIELD, ...over });
const option = (value: string, labelEn = '', labelFr = '') => ({ ...emptyOption(), value, labelEn, labelFr });

describe('the field form', () => {
  it('asks for a key and an English label', () => {
    expect(checkFieldForm(form({})).errors).toEqual({ key: 'fields.form.key_required', labelEn: 'fields.form.label_required' });
    expect(checkFieldForm(form({ key: 'Order ref', labelEn: 'Order reference' })).errors).toEqual({ key: 'fields.form.key_invalid' });
    expect(checkFieldForm(form({ key: '1st', labelEn: 'x' })).errors.key).toBe('fields.form.key_invalid');
    expect(checkFieldForm(form({ key: 'a', labelEn: 'x'.repeat(101), labelFr: 'é'.repeat(101) })).errors).toEqual({ labelEn: 'fields.form.label_long', labelFr: 'fields.form.label_long' });
    expect(checkFieldForm(form({ key: 'a'.repeat(41), labelEn: 'x' })).errors.key).toBe('fields.form.key_invalid');
    // A field changed keeps its key: it is not the form's to check.
    expect(checkFieldForm(form({ key: '', labelEn: 'x' }), true).errors).toEqual({});
  });

  it('sends a field without options, the French label only when given', () => {
    expect(checkFieldForm(form({ key: 'order_ref', labelEn: ' Order reference ', labelFr: '', required: true })).request).toEqual({
      key: 'order_ref',
      label: { en: 'Order reference' },
      type: 'text',
      required_to_resolve: true,
      visible_to_customer: false,
      editable_by_customer: false,
    });
  });

  it('checks the options: at least one, each with a distinct value, its label the value when none is given', () => {
    expect(checkFieldForm(form({ key: 'colour', labelEn: 'Colour', type: 'dropdown', options: [] })).errors).toEqual({ options: 'fields.form.options_required' });
    expect(checkFieldForm(form({ key: 'colour', labelEn: 'Colour', type: 'multiselect', options: [option('red'), option(' '), option('red'), option('x'.repeat(101))] })).errors).toEqual({
      'option.1.value': 'fields.form.option_value_required',
      'option.2.value': 'fields.form.option_value_taken',
      'option.3.value': 'fields.form.option_value_long',
    });
    expect(checkFieldForm(form({ key: 'colour', labelEn: 'Colour', labelFr: 'Couleur', type: 'dropdown', options: [option(' red ', 'Red', 'Rouge'), option('blue')] })).request).toEqual({
      key: 'colour',
      label: { en: 'Colour', fr: 'Couleur' },
      type: 'dropdown',
      options: [
        { value: 'red', label: { en: 'Red', fr: 'Rouge' } },
        { value: 'blue', label: { en: 'blue' } },
      ],
      required_to_resolve: false,
      visible_to_customer: false,
      editable_by_customer: false,
    });
  });

  it('wants a field customers fill in shown to them', () => {
    expect(checkFieldForm(form({ key: 'a', labelEn: 'A', editable: true })).errors).toEqual({ flags: 'fields.form.editable_hidden' });
    expect(checkFieldForm(form({ key: 'a', labelEn: 'A', editable: true, visible: true })).errors).toEqual({});
  });

  it('changes only what differs, never the key or the type', () => {
    const same = checkFieldForm(fieldFormValues(colour), true).request!;
    expect(fieldChange(colour, same)).toEqual({});
    const values = fieldFormValues(colour);
    const renamed = checkFieldForm({ ...values, labelFr: '', required: true, options: [...values.options, option('green', 'Green')] }, true).request!;
    expect(fieldChange(colour, renamed)).toEqual({
      label: { en: 'Colour' },
      options: [
        { value: 'red', label: { en: 'Red', fr: 'Rouge' } },
        { value: 'blue', label: { en: 'Blue' } },
        { value: 'green', label: { en: 'Green' } },
      ],
      required_to_resolve: true,
    });
  });
});

describe('keys', () => {
  it('are suggested from the English label', () => {
    expect(suggestKey('Order reference')).toBe('order_reference');
    expect(suggestKey('Numéro de commande')).toBe('numero_de_commande');
    expect(suggestKey('  Warranty checked? ')).toBe('warranty_checked');
    expect(suggestKey('2nd address')).toBe('field_2nd_address');
    expect(suggestKey('…')).toBe('');
    expect(suggestKey('a'.repeat(50))).toHaveLength(40);
    expect(suggestKey('word '.repeat(10))).not.toMatch(/_$/);
  });
});

describe('the server’s field names', () => {
  it('are the form’s', () => {
    expect(formErrorOf('key')).toBe('key');
    expect(formErrorOf('label.en')).toBe('labelEn');
    expect(formErrorOf('label.fr')).toBe('labelFr');
    expect(formErrorOf('options[0].value')).toBe('option.0.value');
    expect(formErrorOf('options[2].label.fr')).toBe('option.2.labelFr');
    expect(formErrorOf('options[2].label.en')).toBe('option.2.labelEn');
    expect(formErrorOf('options')).toBe('options');
    expect(formErrorOf('editable_by_customer')).toBe('flags');
    expect(formErrorOf('position')).toBeNull();
  });
});
