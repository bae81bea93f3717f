//! Form state: values by field name, and the errors to show (the browser's checks first, then
//! the server's field errors).

import { useState } from 'preact/hooks';
import { fieldErrors } from '../errors/describe';

export function useFields<F extends string>(initial: Record<F, string>) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Partial<Record<F, string>>>({});
  const set = (field: F) => (value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    // A corrected field stops being flagged as soon as it is edited.
    setErrors((e) => (e[field] ? { ...e, [field]: undefined } : e));
  };
  /** Shows the server's field errors, with its field names mapped to the form's. */
  const showServerErrors = (error: unknown, rename: Record<string, string> = {}) => {
    setErrors(fieldErrors(error, rename) as Partial<Record<F, string>>);
  };
  return { values, setValues, errors, setErrors, set, showServerErrors };
}
