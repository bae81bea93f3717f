/**
 * Checks the browser can make before asking the server, with messages in the user's language.
 * The server stays the authority; its field errors are shown the same way.
 */

import type { MessageKey } from '../i18n';
import { t } from '../i18n';

export type Rule = (value: string) => MessageKey | null;

export const required: Rule = (value) => (value.trim() ? null : 'validation.required');

export const email: Rule = (value) => (!value.trim() || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim()) ? null : 'validation.email');

/** The server's password policy: 12 to 128 characters. */
export const newPassword: Rule = (value) => {
  const length = [...value].length;
  if (length < 12) return 'validation.password_short';
  return length > 128 ? 'validation.password_long' : null;
};

export const maxLength =
  (max: number): Rule =>
  (value) =>
    [...value.trim()].length > max ? 'validation.too_long' : null;

export const sixDigits: Rule = (value) => (/^\d{6}$/.test(value.replace(/\s/g, '')) ? null : 'validation.code');

export const digitsOnly: Rule = (value) => (!value.trim() || /^\d{1,18}$/.test(value.trim()) ? null : 'validation.number');

/** The first failing rule of each field, translated. */
export function validate<F extends string>(values: Record<F, string>, rules: Partial<Record<F, Rule[]>>, params: Record<string, number> = {}): Partial<Record<F, string>> {
  const errors: Partial<Record<F, string>> = {};
  for (const field of Object.keys(rules) as F[]) {
    for (const rule of rules[field] ?? []) {
      const key = rule(values[field]);
      if (key) {
        errors[field] = t(key, params);
        break;
      }
    }
  }
  return errors;
}

export function hasErrors(errors: Partial<Record<string, string>>): boolean {
  return Object.values(errors).some(Boolean);
}
