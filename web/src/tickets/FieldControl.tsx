/**
 * One ticket field's control, labelled by the field, of its type: a text input, a number typed as
 * text (a decimal comma is read too), a date input, a checkbox, a select, or a group of
 * checkboxes for a multiselect; its hint and its error tied to it. The portal's new-ticket form
 * and the console's ticket properties both use it.
 */

import type { ComponentChildren } from 'preact';
import type { FieldDefinition } from '../data/fields';
import { t } from '../i18n';
import { CheckboxField, CheckboxGroup, SelectField, TextField } from '../ui/Field';
import { TEXT_MAX, fieldName, labelIn, type FieldInput } from './fields';

export function FieldControl({
  field,
  input,
  onInput,
  error,
  hint,
}: {
  field: FieldDefinition;
  input: FieldInput;
  onInput: (input: FieldInput) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
}) {
  const label = fieldName(field);
  const name = `fields.${field.key}`;
  const text = typeof input === 'string' ? input : '';
  switch (field.type) {
    case 'checkbox':
      return <Checkbox label={label} name={name} checked={input === true} onChange={onInput} error={error} hint={hint} />;
    case 'multiselect':
      return (
        <CheckboxGroup
          legend={label}
          name={name}
          hint={hint}
          error={error}
          options={field.options.map((o) => ({ value: o.value, label: labelIn(o.label) }))}
          chosen={Array.isArray(input) ? input : []}
          onToggle={(value, on) => {
            const chosen = Array.isArray(input) ? input : [];
            onInput(on ? [...chosen.filter((v) => v !== value), value] : chosen.filter((v) => v !== value));
          }}
        />
      );
    case 'dropdown': {
      const options = field.options.map((o) => ({ value: o.value, label: labelIn(o.label) }));
      // A value the field no longer offers stays shown until another is chosen.
      if (text && !options.some((o) => o.value === text)) options.push({ value: text, label: text });
      return <SelectField label={label} name={name} hint={hint} error={error} value={text} options={[{ value: '', label: t('fields.value.none') }, ...options]} onValue={onInput} />;
    }
    case 'date':
      return <TextField label={label} name={name} hint={hint} error={error} type="date" value={text} onValue={onInput} />;
    case 'number':
      return <TextField label={label} name={name} hint={hint} error={error} inputMode="decimal" autocomplete="off" value={text} onValue={onInput} />;
    default:
      return <TextField label={label} name={name} hint={hint} error={error} autocomplete="off" maxLength={TEXT_MAX} value={text} onValue={onInput} />;
  }
}

function Checkbox({
  label,
  name,
  checked,
  onChange,
  error,
  hint,
}: {
  label: string;
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
}) {
  return <CheckboxField class="field field-check" label={label} hint={hint} error={error} name={name} checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />;
}
