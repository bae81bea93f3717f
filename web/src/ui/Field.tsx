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
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

type InputProps = Common & Omit<PartialInputHTMLAttributes<HTMLInputElement>, 'label' | 'name' | 'id' | 'role'> & { onValue?: (value: string) => void };

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

/** Moves focus to the first field marked invalid, so keyboard and screen reader users land on it. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  const invalid = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  invalid?.focus();
}
