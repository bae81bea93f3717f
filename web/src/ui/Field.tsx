/** Form fields with their label, hint and error tied to the control for assistive technology. */

import type { ComponentChildren, InputHTMLAttributes, PartialInputHTMLAttributes, PartialSelectHTMLAttributes, TextareaHTMLAttributes } from 'preact';
import { useId } from 'preact/hooks';

interface Common {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: ComponentChildren;
}

function described(id: string, hint: boolean, error: boolean): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** What a row ties its control to: the control's id, and the hint and error that describe it. */
export interface RowControl {
  id: string;
  'aria-invalid': 'true' | undefined;
  'aria-describedby': string | undefined;
}

/** A field's hint, named by `{id}-hint`; nothing without one. */
function FieldHint({ id, hint }: { id: string; hint?: ComponentChildren }) {
  return hint ? (
    <p class="field-hint" id={`${id}-hint`}>
      {hint}
    </p>
  ) : null;
}

/** One field of a form: its label, its hint, the control `children` draws with the ids it is
 * given (`{id}`, described by `{id}-hint` and `{id}-error`), its error, and what follows it
 * (`after`). `id`: the control's, when the caller needs to know it (a fresh one otherwise);
 * `class`: the row's own, after `field`. */
export function FormRow({
  id,
  label,
  hint,
  error,
  class: kind,
  after,
  children,
}: {
  id?: string;
  label: string;
  hint?: ComponentChildren;
  error?: string | undefined;
  class?: string;
  after?: ComponentChildren;
  children: (control: RowControl) => ComponentChildren;
}) {
  const own = useId();
  const control = id ?? own;
  return (
    <div class={classes('field', error ? 'field--invalid' : '', kind)}>
      <label for={control}>{label}</label>
      <FieldHint id={control} hint={hint} />
      {children({ id: control, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described(control, Boolean(hint), Boolean(error)) })}
      <FieldError id={control} error={error} />
      {after}
    </div>
  );
}

/** Several controls under one legend (a `fieldset` of class `class`), the group described by its
 * hint (`{id}-hint`) and its error (`{id}-error`, below the controls); after the error, the
 * button that adds a row to the group when there is one (`add`; named by `data-action`). */
export function FieldGroup({
  id,
  legend,
  hint,
  error,
  class: kind,
  add,
  children,
}: {
  id: string;
  legend: string;
  hint?: ComponentChildren;
  error?: string | undefined;
  class: string;
  add?: { label: string; action: string; onAdd: () => void; small?: boolean } | null | undefined;
  children: ComponentChildren;
}) {
  return (
    <fieldset class={classes(kind, error ? 'field--invalid' : '')} aria-describedby={described(id, Boolean(hint), Boolean(error))}>
      <legend>{legend}</legend>
      <FieldHint id={id} hint={hint} />
      {children}
      <FieldError id={id} error={error} />
      {add ? (
        <div class="actions">
          <button type="button" class={add.small ? 'button button--secondary button--small' : 'button button--secondary'} data-action={add.action} onClick={add.onAdd}>
            {add.label}
          </button>
        </div>
      ) : null}
    </fieldset>
  );
}

/** A checkbox or a radio button (`type`) with its label, and below it the hint that describes it
 * (`{id}-hint`), in a `div` of class `class`. */
export function ChoiceRow({
  id,
  class: kind,
  label,
  hint,
  ...input
}: { id: string; class: string; label: string; hint: ComponentChildren; type: 'checkbox' | 'radio' } & Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'id' | 'class' | 'label' | 'type'>) {
  return (
    <div class={kind}>
      <input id={id} aria-describedby={`${id}-hint`} {...(input as InputHTMLAttributes)} />
      <label for={id}>{label}</label>
      <FieldHint id={id} hint={hint} />
    </div>
  );
}

function classes(...names: (string | undefined)[]): string {
  return names.filter(Boolean).join(' ');
}

/** A field's error, named by `{id}-error` (the field's `aria-describedby`); nothing without one. */
export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p class="field-error" id={`${id}-error`}>
      {error}
    </p>
  ) : null;
}

/** `list`: the id of a `<datalist>` of suggestions (the input types that take one). */
type InputProps = Common & Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'label' | 'name' | 'id' | 'role'> & { onValue?: (value: string) => void; list?: string };

export function TextField({ label, name, error, hint, onValue, ...rest }: InputProps) {
  return (
    <FormRow label={label} hint={hint} error={error}>
      {(control) => <input {...control} name={name} onInput={(e) => onValue?.(e.currentTarget.value)} {...(rest as InputHTMLAttributes)} />}
    </FormRow>
  );
}

/** A web address typed in full (`https://...`): the browser's URL keyboard and check, without
 * suggestions or spell checking. */
export function UrlField(props: InputProps) {
  return <TextField type="url" inputMode="url" autocomplete="off" spellcheck={false} {...props} />;
}

type AreaProps = Common & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'label' | 'name' | 'id'> & { onValue?: (value: string) => void };

export function TextArea({ label, name, error, hint, onValue, ...rest }: AreaProps) {
  return (
    <FormRow label={label} hint={hint} error={error}>
      {(control) => <textarea {...control} name={name} onInput={(e) => onValue?.(e.currentTarget.value)} {...rest} />}
    </FormRow>
  );
}

type SelectProps = Common &
  Omit<PartialSelectHTMLAttributes<HTMLSelectElement>, 'label' | 'name' | 'id' | 'role'> & {
    options: { value: string; label: string }[];
    onValue?: (value: string) => void;
  };

export function SelectField({ label, name, error, hint, options, onValue, ...rest }: SelectProps) {
  return (
    <FormRow label={label} hint={hint} error={error}>
      {(control) => (
        <select {...control} name={name} onChange={(e) => onValue?.(e.currentTarget.value)} {...rest}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FormRow>
  );
}

/** Several choices under one legend (`fieldset`), with the group's hint and error tied to each box. */
export function CheckboxGroup({
  legend,
  name,
  options,
  chosen,
  onToggle,
  error,
  hint,
}: {
  legend: string;
  name: string;
  options: { value: string; label: string }[];
  chosen: readonly string[];
  onToggle: (value: string, on: boolean) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
}) {
  const id = useId();
  return (
    <FieldGroup id={id} legend={legend} hint={hint} error={error} class="checks">
      <div class="checks-options">
        {options.map((o, i) => (
          <div class="checkbox" key={o.value}>
            <input
              id={`${id}-${i}`}
              type="checkbox"
              name={name}
              value={o.value}
              checked={chosen.includes(o.value)}
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
              onChange={(e) => onToggle(o.value, e.currentTarget.checked)}
            />
            <label for={`${id}-${i}`}>{o.label}</label>
          </div>
        ))}
      </div>
    </FieldGroup>
  );
}

/** One checkbox, its label beside it, its hint and its error below, in a `div` of class `class`
 * (marked invalid with an error). `id`: the box's, when the caller needs to know it. */
export function CheckboxField({
  id,
  class: kind,
  label,
  hint,
  error,
  ...input
}: { id?: string; class: string; label: string; hint?: ComponentChildren; error?: string | undefined } & Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'id' | 'class' | 'label' | 'type'>) {
  const own = useId();
  const box = id ?? own;
  return (
    <div class={classes(kind, error ? 'field--invalid' : '')}>
      <div class="checkbox">
        <input {...({ ...input, id: box, type: 'checkbox', 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described(box, Boolean(hint), Boolean(error)) } as InputHTMLAttributes)} />
        <label for={box}>{label}</label>
      </div>
      <FieldHint id={box} hint={hint} />
      <FieldError id={box} error={error} />
    </div>
  );
}

/** Moves focus to the first field marked invalid, so keyboard and screen reader users land on it. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  const invalid = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  invalid?.focus();
}

/** A label in English and, when it differs, in French: two text fields side by side, the French
 * one optional. */
export function BilingualFields({
  form,
  names,
  labels,
  frHint,
  maxLength,
}: {
  /** The form (`useFields`) whose values `en` and `fr` these are. */
  form: { field: (language: 'en' | 'fr', name: string) => { name: string; value: string; error: string | undefined; onValue: (value: string) => void } };
  /** The fields' names in the request (`label.en`, `name_fr`...). */
  names: { en: string; fr: string };
  labels: { en: string; fr: string };
  frHint: string;
  maxLength: number;
}) {
  return (
    <div class="field-row">
      <TextField label={labels.en} {...form.field('en', names.en)} lang="en" autocomplete="off" maxLength={maxLength} required />
      <TextField label={labels.fr} hint={frHint} {...form.field('fr', names.fr)} lang="fr" autocomplete="off" maxLength={maxLength} />
    </div>
  );
}
