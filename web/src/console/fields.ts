/**
 * The admin form of a ticket field, as plain functions: the form as typed (its options as rows),
 * checked before the server (which stays the authority), the request it sends, what a change
 * sends (only what differs), the key suggested from the English label, and the server's field
 * names as the form's.
 */

import type { FieldDefinition, FieldDefinitionChange, FieldOption, FieldType, NewFieldDefinition } from '../data/fields';
import type { MessageKey } from '../i18n';
import { hasOptions } from '../tickets/fields';

/** A key as the server takes it: a lower-case letter, then up to 39 lower-case letters, digits or `_`. */
export const KEY = /^[a-z][a-z0-9_]{0,39}$/;
export const KEY_MAX = 40;
/** The longest label, in characters, in either language. */
export const LABEL_MAX = 100;
export const OPTION_VALUE_MAX = 100;
export const OPTIONS_MAX = 100;
/** The most fields an organisation keeps (the server refuses the 101st with `limit_reached`). */
export const FIELDS_MAX = 100;

/** One option as typed; `id` tells the rows apart while they are added and removed. */
export interface OptionRow {
  id: number;
  value: string;
  labelEn: string;
  labelFr: string;
}

export interface FieldFormValues {
  key: string;
  /** Whether the key was typed (else it follows the English label). */
  keyTyped: boolean;
  labelEn: string;
  labelFr: string;
  type: FieldType;
  options: OptionRow[];
  required: boolean;
  visible: boolean;
  editable: boolean;
}

export type OptionPart = 'value' | 'labelEn' | 'labelFr';
export type OptionError = `option.${number}.${OptionPart}`;
/** The form's errors: beside a field, an option's input, the group of options or of the flags,
 * or the whole form's. */
export type FieldFormError = 'key' | 'labelEn' | 'labelFr' | 'type' | 'options' | 'flags' | 'form' | OptionError;

export const optionError = (index: number, part: OptionPart): OptionError => `option.${index}.${part}`;

let rows = 0;
export const emptyOption = (): OptionRow => ({ id: ++rows, value: '', labelEn: '', labelFr: '' });

export const EMPTY_FIELD: FieldFormValues = {
  key: '',
  keyTyped: false,
  labelEn: '',
  labelFr: '',
  type: 'text',
  options: [],
  required: false,
  visible: false,
  editable: false,
};

export function fieldFormValues(field: FieldDefinition): FieldFormValues {
  return {
    key: field.key,
    keyTyped: true,
    labelEn: field.label.en,
    labelFr: field.label.fr ?? '',
    type: field.type,
    options: field.options.map((o) => ({ id: ++rows, value: o.value, labelEn: o.label.en, labelFr: o.label.fr ?? '' })),
    required: field.required_to_resolve,
    visible: field.visible_to_customer,
    editable: field.editable_by_customer,
  };
}

/** A key from a label: "Numéro de commande" gives `numero_de_commande`; `''` when nothing is left. */
export function suggestKey(label: string): string {
  const words = label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const key = /^[0-9]/.test(words) ? `field_${words}` : words;
  return key.slice(0, KEY_MAX).replace(/_+$/, '');
}

const chars = (value: string) => [...value].length;

function label(en: string, fr: string): FieldOption['label'] {
  const french = fr.trim();
  return french ? { en: en.trim(), fr: french } : { en: en.trim() };
}

/** The errors to show, or the field to send (the same request makes a field, and is what a change
 * is worked out from: `fieldChange`). `editing`: the key is not the form's to check. An option's
 * label is its value when none is given. */
export function checkFieldForm(form: FieldFormValues, editing = false): { errors: Partial<Record<FieldFormError, MessageKey>>; request: NewFieldDefinition | null } {
  const errors: Partial<Record<FieldFormError, MessageKey>> = {};
  const key = form.key.trim();
  if (!editing) {
    if (!key) errors.key = 'fields.form.key_required';
    else if (!KEY.test(key)) errors.key = 'fields.form.key_invalid';
  }
  if (!form.labelEn.trim()) errors.labelEn = 'fields.form.label_required';
  else if (chars(form.labelEn.trim()) > LABEL_MAX) errors.labelEn = 'fields.form.label_long';
  if (chars(form.labelFr.trim()) > LABEL_MAX) errors.labelFr = 'fields.form.label_long';
  const options: FieldOption[] = [];
  if (hasOptions(form.type)) {
    if (!form.options.length) errors.options = 'fields.form.options_required';
    else if (form.options.length > OPTIONS_MAX) errors.options = 'fields.form.options_many';
    const seen = new Set<string>();
    form.options.forEach((row, index) => {
      const value = row.value.trim();
      if (!value) errors[optionError(index, 'value')] = 'fields.form.option_value_required';
      else if (chars(value) > OPTION_VALUE_MAX) errors[optionError(index, 'value')] = 'fields.form.option_value_long';
      else if (seen.has(value)) errors[optionError(index, 'value')] = 'fields.form.option_value_taken';
      seen.add(value);
      if (chars(row.labelEn.trim()) > LABEL_MAX) errors[optionError(index, 'labelEn')] = 'fields.form.label_long';
      if (chars(row.labelFr.trim()) > LABEL_MAX) errors[optionError(index, 'labelFr')] = 'fields.form.label_long';
      options.push({ value, label: label(row.labelEn.trim() || value, row.labelFr) });
    });
  }
  if (form.editable && !form.visible) errors.flags = 'fields.form.editable_hidden';
  if (Object.keys(errors).length) return { errors, request: null };
  return {
    errors,
    request: {
      key,
      label: label(form.labelEn, form.labelFr),
      type: form.type,
      ...(hasOptions(form.type) ? { options } : {}),
      required_to_resolve: form.required,
      visible_to_customer: form.visible,
      editable_by_customer: form.editable,
    },
  };
}

const sameLabel = (a: FieldOption['label'], b: FieldOption['label']) => a.en === b.en && (a.fr?.trim() || null) === (b.fr?.trim() || null);

const sameOptions = (a: readonly FieldOption[], b: readonly FieldOption[]) =>
  a.length === b.length && a.every((option, i) => option.value === b[i]!.value && sameLabel(option.label, b[i]!.label));

/** Only what differs from the field as it stands (`{}` when nothing does); never its key or type. */
export function fieldChange(field: FieldDefinition, request: NewFieldDefinition): FieldDefinitionChange {
  const change: FieldDefinitionChange = {};
  if (!sameLabel(field.label, request.label)) change.label = request.label;
  if (hasOptions(field.type) && !sameOptions(field.options, request.options ?? [])) change.options = request.options ?? [];
  if ((request.required_to_resolve ?? false) !== field.required_to_resolve) change.required_to_resolve = request.required_to_resolve ?? false;
  if ((request.visible_to_customer ?? false) !== field.visible_to_customer) change.visible_to_customer = request.visible_to_customer ?? false;
  if ((request.editable_by_customer ?? false) !== field.editable_by_customer) change.editable_by_customer = request.editable_by_customer ?? false;
  return change;
}

const FLAGS = ['required_to_resolve', 'visible_to_customer', 'editable_by_customer'];

/** A server's field name as the form's (`options[2].label.fr` is the third option's French label);
 * `null` for one the form does not show. */
export function formErrorOf(name: string): FieldFormError | null {
  if (name === 'key') return 'key';
  if (name === 'label' || name === 'label.en') return 'labelEn';
  if (name === 'label.fr') return 'labelFr';
  if (name === 'type') return 'type';
  const option = /^options\[(\d+)\](?:\.(value|label)(?:\.(en|fr))?)?$/.exec(name);
  if (option) return optionError(Number(option[1]), option[2] === 'label' ? (option[3] === 'fr' ? 'labelFr' : 'labelEn') : 'value');
  if (name === 'options' || name.startsWith('options')) return 'options';
  if (FLAGS.includes(name)) return 'flags';
  return null;
}
