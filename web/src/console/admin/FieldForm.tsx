/**
 * A ticket field's form, to make one or change one: its key (suggested from the English label,
 * fixed once made), its labels in English and French, its type (fixed once made), the options of
 * a dropdown or a multiselect (a row each: value and labels, added and removed with buttons), and
 * who needs it: required before resolving, shown to customers, filled in by them. Checked here
 * first (`../fields.ts`); the server's refusals are shown beside their inputs, the key already
 * taken beside the key, the rest as an alert.
 */

import { useId } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import type { FieldDefinition, FieldType, NewFieldDefinition } from '../../data/fields';
import { t } from '../../i18n';
import { FIELD_TYPES, TYPE_LABEL, hasOptions } from '../../tickets/fields';
import { ChoiceRow, FieldGroup, SelectField, TextField } from '../../ui/Field';
import { translated, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import {
  KEY_MAX,
  OPTION_VALUE_MAX,
  checkFieldForm,
  emptyOption,
  formErrorOf,
  optionError,
  suggestKey,
  type FieldFormError,
  type FieldFormValues,
  type OptionRow,
} from '../fields';


export function FieldForm({
  initial,
  field,
  submitLabel,
  onSave,
  onCancel,
}: {
  initial: FieldFormValues;
  /** The field changed (its key and type stay as they are); none for a new one. */
  field?: FieldDefinition;
  submitLabel: string;
  /** Sends the request; a refusal is thrown back (an `ApiProblem`). */
  onSave: (request: NewFieldDefinition) => Promise<void>;
  onCancel?: () => void;
}) {
  const form = useFields<FieldFormValues, FieldFormError>(initial, { editAnswersForm: true });
  const { values, errors } = form;
  const submission = useSubmit();
  const id = useId();
  const editing = field !== undefined;
  // Where focus goes once the options have changed shape (the button that had it may be gone).
  const { focusAfter } = useFocusAfterRender(form.ref);

  const { change } = form;
  const setOption = (index: number, part: 'value' | 'labelEn' | 'labelFr', text: string) =>
    change({ options: values.options.map((row, i) => (i === index ? { ...row, [part]: text } : row)) }, [optionError(index, part), 'options']);
  const addOption = () => {
    const row = emptyOption();
    focusAfter(`[data-option="${row.id}"] input`);
    change({ options: [...values.options, row] }, ['options']);
  };
  const removeOption = (index: number) => {
    const next = values.options[index + 1] ?? values.options[index - 1];
    focusAfter(next ? `[data-option="${next.id}"] button` : '[data-action="add-option"]');
    // The rows after it move up: their errors would be beside the wrong ones.
    form.setErrors((e) => Object.fromEntries(Object.entries(e).filter(([name]) => !name.startsWith('option.'))));
    change({ options: values.options.filter((_, i) => i !== index) }, ['options']);
  };
  const setType = (type: FieldType) => change({ type, options: hasOptions(type) && !values.options.length ? [emptyOption()] : values.options }, ['type', 'options']);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const { errors: found, request } = checkFieldForm(values, editing);
    form.submit(submission, {
      found: translated(found),
      request,
      send: onSave,
      refused: (error) => {
        const server: Partial<Record<FieldFormError, string>> = {};
        if (error instanceof ApiProblem && error.code === 'field_key_taken') server.key = t('fields.form.key_taken');
        else if (error instanceof ApiProblem && error.code === 'validation_failed') {
          for (const e of error.errors) server[formErrorOf(e.field) ?? 'form'] ??= e.message;
        }
        return server;
      },
    });
  };

  return (
    <form ref={form.ref} class="form field-form" onSubmit={onSubmit} noValidate>
      <div class="field-row">
        <TextField
          label={t('fields.form.label_en')}
          name="label.en"
          autocomplete="off"
          value={values.labelEn}
          error={errors.labelEn}
          onValue={(v) => change({ labelEn: v, ...(editing || values.keyTyped ? {} : { key: suggestKey(v) }) }, ['labelEn', 'key'])}
          required
        />
        <TextField
          label={t('fields.form.label_fr')}
          {...form.field('labelFr', 'label.fr')}
          lang="fr"
          autocomplete="off"
          hint={t('fields.form.label_fr_hint')}
        />
      </div>
      {editing ? (
        <p class="hint">{t('fields.form.fixed', { key: field.key, type: t(TYPE_LABEL[field.type]) })}</p>
      ) : (
        <div class="field-row">
          <TextField
            label={t('fields.form.key')}
            name="key"
            hint={t('fields.form.key_hint')}
            autocomplete="off"
            spellcheck={false}
            maxLength={KEY_MAX}
            value={values.key}
            error={errors.key}
            onValue={(v) => change({ key: v, keyTyped: v !== '' }, ['key'])}
            required
          />
          <SelectField
            label={t('fields.form.type')}
            name="type"
            hint={t('fields.form.type_hint')}
            value={values.type}
            error={errors.type}
            options={FIELD_TYPES.map((type) => ({ value: type, label: t(TYPE_LABEL[type]) }))}
            onValue={(v) => setType(v as FieldType)}
          />
        </div>
      )}
      {hasOptions(values.type) ? (
        <FieldGroup
          id={`${id}-options`}
          class="field-options"
          legend={t('fields.form.options')}
          hint={t('fields.form.options_hint')}
          error={errors.options}
          add={{ label: t('fields.form.option_add'), action: 'add-option', onAdd: addOption }}
        >
          <ol class="field-option-list">
            {values.options.map((row, index) => (
              <OptionInputs key={row.id} row={row} index={index} errors={errors} onText={(part, text) => setOption(index, part, text)} onRemove={() => removeOption(index)} />
            ))}
          </ol>
        </FieldGroup>
      ) : null}
      <FieldGroup id={`${id}-flags`} class="checks field-flags" legend={t('fields.form.flags')} error={errors.flags}>
        <Flag id={`${id}-required`} name="required_to_resolve" label={t('fields.form.required')} hint={t('fields.form.required_hint')} checked={values.required} onChange={(on) => change({ required: on }, ['flags'])} />
        <Flag id={`${id}-visible`} name="visible_to_customer" label={t('fields.form.visible')} hint={t('fields.form.visible_hint')} checked={values.visible} onChange={(on) => change({ visible: on, ...(on ? {} : { editable: false }) }, ['flags'])} />
        <Flag id={`${id}-editable`} name="editable_by_customer" label={t('fields.form.editable')} hint={t('fields.form.editable_hint')} checked={values.editable} onChange={(on) => change({ editable: on, ...(on ? { visible: true } : {}) }, ['flags'])} />
      </FieldGroup>
      <FormEnd
        formError={errors.form}
        submission={submission}
        overrides={{ limit_reached: 'fields.form.limit', field_key_taken: 'fields.form.key_taken', option_in_use: 'fields.form.option_in_use' }}
        submitLabel={submitLabel}
        cancel={{ label: t('fields.form.cancel'), onCancel }}
      />
    </form>
  );
}

/** One option's inputs, in a group named by its place in the list. */
function OptionInputs({
  row,
  index,
  errors,
  onText,
  onRemove,
}: {
  row: OptionRow;
  index: number;
  errors: Partial<Record<FieldFormError, string>>;
  onText: (part: 'value' | 'labelEn' | 'labelFr', text: string) => void;
  onRemove: () => void;
}) {
  const name = t('fields.form.option', { n: index + 1 });
  return (
    <li class="field-option" role="group" aria-label={name} data-option={row.id}>
      <TextField
        label={t('fields.form.option_value')}
        name={`options[${index}].value`}
        autocomplete="off"
        spellcheck={false}
        maxLength={OPTION_VALUE_MAX}
        value={row.value}
        error={errors[optionError(index, 'value')]}
        onValue={(v) => onText('value', v)}
        required
      />
      <TextField
        label={t('fields.form.option_label_en')}
        name={`options[${index}].label.en`}
        autocomplete="off"
        value={row.labelEn}
        error={errors[optionError(index, 'labelEn')]}
        onValue={(v) => onText('labelEn', v)}
      />
      <TextField
        label={t('fields.form.option_label_fr')}
        name={`options[${index}].label.fr`}
        lang="fr"
        autocomplete="off"
        value={row.labelFr}
        error={errors[optionError(index, 'labelFr')]}
        onValue={(v) => onText('labelFr', v)}
      />
      <button type="button" class="button button--secondary button--small" onClick={onRemove}>
        {t('fields.form.option_remove', { n: index + 1 })}
      </button>
    </li>
  );
}

/** One of the field's rules: a checkbox, its name and what it does below. */
function Flag({ id, name, label, hint, checked, onChange }: { id: string; name: string; label: string; hint: string; checked: boolean; onChange: (on: boolean) => void }) {
  return <ChoiceRow id={id} class="field-flag" type="checkbox" name={name} label={label} hint={hint} checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />;
}
