/**
 * The organisation's profile as a form (the Organisation page's first panel): its checks before
 * anything is sent, and what a change sends (the fields that differ from what is saved).
 */

import type { TenantProfile } from '../data/organisation';
import type { MessageKey } from '../i18n';

/** The longest name control-api takes, in characters. */
export const NAME_MAX = 200;

export type ProfileField = keyof TenantProfile;
type Field = ProfileField;
export const FIELDS: readonly Field[] = ['name', 'time_zone', 'default_locale'];

/** The fields whose value differs from what is saved, trimmed as the server keeps them. */
export function profileChange(saved: TenantProfile, values: TenantProfile): Partial<TenantProfile> {
  const change: Partial<TenantProfile> = {};
  for (const field of FIELDS) {
    const value = values[field].trim();
    if (value !== saved[field]) change[field] = value;
  }
  return change;
}

/** The form's own checks, before anything is sent. */
export function checkProfile(values: TenantProfile): Partial<Record<Field, MessageKey>> {
  const errors: Partial<Record<Field, MessageKey>> = {};
  const name = values.name.trim();
  if (!name) errors.name = 'console.organisation.name_required';
  else if ([...name].length > NAME_MAX) errors.name = 'console.organisation.name_invalid';
  if (!values.time_zone.trim()) errors.time_zone = 'console.organisation.zone_required';
  return errors;
}

