//! Form fields with their label, hint and error tied to the control for assistive technology.

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

function Frame({ id, label, hint, error, children }: { id: string; label: string; hint?: ComponentChildren; error?: string | undefined; children: ComponentChildren }) {
  return (
    <div class={error ? 'field field--invalid' : 'field'}>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {children}
      <FieldError id={id} error={error} />
    </div>
  );
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
  const id = useId();
  return (
    <Frame id={id} label={label} hint={hint} error={error}>
      <input
        id={id}
        name={name}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described(id, Boolean(hint), Boolean(error))}
        onInput={(e) => onValue?.(e.currentTarget.value)}
        {...(rest as InputHTMLAttributes)}
      />
    </Frame>
  );
}

type AreaProps = Common & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'label' | 'name' | 'id'> & { onValue?: (value: string) => void };

export function TextArea({ label, name, error, hint, onValue, ...rest }: AreaProps) {
  const id = useId();
  return (
    <Frame id={id} label={label} hint={hint} error={error}>
      <textarea
        id={id}
        name={name}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described(id, Boolean(hint), Boolean(error))}
        onInput={(e) => onValue?.(e.currentTarget.value)}
        {...rest}
      />
    </Frame>
  );
}

type SelectProps = Common &
  Omit<PartialSelectHTMLAttributes<HTMLSelectElement>, 'label' | 'name' | 'id' | 'role'> & {
    options: { value: string; label: string }[];
    onValue?: (value: string) => void;
  };

export function SelectField({ label, name, error, hint, options, onValue, ...rest }: SelectProps) {
  const id = useId();
  return (
    <Frame id={id} label={label} hint={hint} error={error}>
      <select
        id={id}
        name={name}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described(id, Boolean(hint), Boolean(error))}
        onChange={(e) => onValue?.(e.currentTarget.value)}
        {...rest}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Frame>
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
  const groupDescribed = described(id, Boolean(hint), Boolean(error));
  return (
    <fieldset class={error ? 'checks field--invalid' : 'checks'} aria-describedby={groupDescribed}>
      <legend>{legend}</legend>
      {hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
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
      <FieldError id={id} error={error} />
    </fieldset>
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
  names,
  labels,
  frHint,
  maxLength,
  values,
  errors,
  onValue,
}: {
  /** The fields' names in the request (`label.en`, `name_fr`...). */
  names: { en: string; fr: string };
  labels: { en: string; fr: string };
  frHint: string;
  maxLength: number;
  values: { en: string; fr: string };
  errors: { en?: string | undefined; fr?: string | undefined };
  onValue: (language: 'en' | 'fr') => (value: string) => void;
}) {
  return (
    <div class="field-row">
      <TextField label={labels.en} name={names.en} lang="en" autocomplete="off" maxLength={maxLength} value={values.en} error={errors.en} onValue={onValue('en')} required />
      <TextField label={labels.fr} hint={frHint} name={names.fr} lang="fr" autocomplete="off" maxLength={maxLength} value={values.fr} error={errors.fr} onValue={onValue('fr')} />
    </div>
  );
}
