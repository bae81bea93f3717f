/**
 * Form state, for every form: values by field name, the errors to show (the browser's checks
 * first, then the server's field errors), and the focus sent to the first field flagged.
 */

import { useRef, useState } from 'preact/hooks';
import { ApiProblem } from '../api';
import { fieldErrors, formField } from '../errors/describe';
import { t, type MessageKey } from '../i18n';
import { focusFirstInvalid } from './Field';
import type { Submission } from './hooks';
import { hasErrors, validate, type Rule } from './validate';

/** The fields of a form whose values are text (the ones the checks apply to). */
type TextFields<V> = { [K in keyof V]: V[K] extends string ? K : never }[keyof V] & string;

/** `Extra` names errors shown elsewhere than beside a field (the whole form's, say); a form's whole
 * union of errors will do (its fields' names among them, which it holds already).
 * `editAnswersForm`: a field edited also answers the whole form's refusal (`form`), which goes;
 * `onEdit`: called on every edit (a change of values by `set` or `change`). */
export function useFields<V extends object, Extra extends string = never>(initial: V, { editAnswersForm = false, onEdit }: { editAnswersForm?: boolean; onEdit?: () => void } = {}) {
  type F = (keyof V & string) | Extra;
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Partial<Record<F, string>>>({});
  const ref = useRef<HTMLFormElement>(null);
  const set =
    <K extends keyof V & string>(field: K) =>
    (value: V[K]) => {
      onEdit?.();
      setValues((v) => ({ ...v, [field]: value }));
      // A corrected field stops being flagged as soon as it is edited.
      const answered = (editAnswersForm ? [field, 'form'] : [field]) as F[];
      setErrors((e) => (answered.some((name) => e[name]) ? { ...e, ...Object.fromEntries(answered.map((name) => [name, undefined])) } : e));
    };
  /** What a text field, a text area or a select takes for the value `key`: its name in the
   * request (`name`, the key by default), its value, its error and its edits. */
  const field = <K extends TextFields<V>>(key: K, name: string = key) => ({
    name,
    value: values[key] as string,
    error: errors[key as F],
    onValue: set(key) as (value: string) => void,
  });
  /** A change of some values, which may answer the errors of `cleared` (and of every field
   * whose name starts with `prefix`) and the whole form's refusal (`form`): those are cleared. */
  const change = (next: Partial<V>, cleared: readonly F[], prefix?: string) => {
    onEdit?.();
    setValues((v) => ({ ...v, ...next }));
    setErrors((e) => {
      const answered = (name: string) => name === 'form' || (cleared as readonly string[]).includes(name) || (prefix !== undefined && name.startsWith(prefix));
      return Object.fromEntries(Object.entries(e).filter(([name]) => !answered(name))) as Partial<Record<F, string>>;
    });
  };
  /** Moves the focus to the first field flagged, once it is drawn. */
  const focusInvalid = () => void requestAnimationFrame(() => focusFirstInvalid(ref.current));
  /** Shows the server's field errors, with its field names mapped to the form's. */
  const showServerErrors = (error: unknown, rename: Record<string, string> = {}) => {
    setErrors(fieldErrors(error, rename) as Partial<Record<F, string>>);
  };
  /** The browser's checks on the text fields: each field's first failure shown, and the focus on
   * the first; `true` when every field passes. */
  const check = (rules: Partial<Record<TextFields<V>, Rule[]>>, params?: Record<string, number>): boolean =>
    show(validate(values as Record<string, string>, rules as Partial<Record<string, Rule[]>>, params) as Partial<Record<F, string>>);
  /** Shows the errors a form's own checks found, the focus on the first; `true` when there are none. */
  const show = (found: Partial<Record<F, string>>): boolean => {
    setErrors(found);
    if (hasErrors(found)) focusInvalid();
    return !hasErrors(found);
  };
  /** Runs a call to the server; its refusal with field errors shows them beside the fields (and
   * is thrown on, for the submission to show the rest). */
  const server = async <T>(call: () => Promise<T>, rename?: Record<string, string>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApiProblem) showServerErrors(error, rename);
      focusInvalid();
      throw error;
    }
  };
  /** Sends what the form's own checks let through: what they found (`found`) is shown, the focus
   * on the first, and nothing is sent while there is any or while there is no `request`. Then
   * `send(request)` runs as `submission`'s task: a refusal that `refused` places beside fields
   * (`{}` for none) is shown there, as the form's own checks would be, and the submission says
   * nothing more; any other refusal is the submission's to show. */
  const submit = <R>(
    submission: Submission,
    {
      found,
      request,
      send,
      refused,
    }: { found: Partial<Record<F, string>>; request: R | null | undefined; send: (request: R) => Promise<void>; refused: (error: unknown) => Partial<Record<F, string>> },
  ): void => {
    if (!show(found) || !request) return;
    void submission.run(async () => {
      try {
        await send(request);
      } catch (error) {
        const placed = refused(error);
        if (Object.keys(placed).length) return void show(placed);
        throw error;
      }
    });
  };
  return { values, setValues, errors, setErrors, set, field, change, ref, check, show, focusInvalid, showServerErrors, server, submit };
}

/** Each message translated, by field (what a form's own check function found). */
export function translated<F extends string>(found: Partial<Record<F, MessageKey>>): Partial<Record<F, string>> {
  const shown: Partial<Record<F, string>> = {};
  for (const [field, key] of Object.entries(found) as [F, MessageKey][]) shown[field] = t(key);
  return shown;
}

/** The server's field errors on the form's fields (by the first part of their names), the first
 * message of each. */
export function serverFieldErrors<F extends string>(error: unknown, fields: readonly F[]): Partial<Record<F, string>> {
  const found: Partial<Record<F, string>> = {};
  if (!(error instanceof ApiProblem)) return found;
  for (const e of error.errors) {
    const field = formField(e.field, fields);
    if (field) found[field] ??= e.message;
  }
  return found;
}

/** The server's refusal of fields in the form's words: each field `errorOf` places (an error of
 * the form and its message), the others with the whole form (`form`), the first message of each;
 * added to what `found` holds already. */
export function refusedFields<E extends string>(error: ApiProblem, errorOf: (field: string) => { error: E; message: MessageKey } | null, found: Partial<Record<E | 'form', string>> = {}): Partial<Record<E | 'form', string>> {
  for (const e of error.errors) {
    const mapped = errorOf(e.field);
    if (mapped) found[mapped.error] ??= t(mapped.message);
    else found.form ??= e.message;
  }
  return found;
}
