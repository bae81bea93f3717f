/**
 * A failure as a sentence for people: from the problem's stable `code`, translated, with when to
 * try again if the server said so. Field errors are shown beside their fields instead.
 */

import { ApiProblem } from '../api/problem';
import { formatDateTime, formatTime, t, tn, type MessageKey } from '../i18n';

const KNOWN = [
  'validation_failed',
  'unauthorized',
  'token_expired',
  'forbidden',
  'mfa_required',
  'sso_required',
  'tenant_mismatch',
  'tenant_not_found',
  'tenant_suspended',
  'tenant_provisioning',
  'tenant_deleted',
  'not_found',
  'conflict',
  'invalid_transition',
  'ticket_closed',
  'payload_too_large',
  'unsupported_media_type',
  'invalid_token',
  'rate_limited',
  'server_busy',
  'dependency_unavailable',
  'file_too_large',
  'storage_quota_exceeded',
  'media_type_mismatch',
  'file_infected',
  'body_timeout',
  'invalid_target',
  'limit_reached',
  'endpoint_disabled',
  'macro_name_taken',
  'team_name_taken',
  'field_key_taken',
  'rule_name_taken',
  'option_in_use',
  'team_in_use',
  'organization_in_use',
  'fields_required',
  'already_rated',
  'not_resolved',
  'network_error',
  'aborted',
  'server_error',
] as const;
export type KnownCode = (typeof KNOWN)[number];

/** Sentences a page gives some codes in its own context (a login's `unauthorized`, say). */
export type Overrides = Partial<Record<KnownCode, MessageKey>>;

export function describeProblem(error: unknown, overrides: Overrides = {}, now: Date = new Date()): string {
  if (!(error instanceof ApiProblem)) return t('error.unexpected');
  const code = (KNOWN as readonly string[]).includes(error.code) ? (error.code as KnownCode) : null;
  const sentence = code ? t(overrides[code] ?? `error.${code}`) : t(fallbackFor(error.status));
  const retry = error.retryAt ? retrySentence(error.retryAt, now) : null;
  return retry ? `${sentence} ${retry}` : sentence;
}

/** "Try again in 20 seconds." or "You can try again at 14:32." in the user's locale. */
export function retrySentence(at: Date, now: Date): string {
  const seconds = Math.ceil((at.getTime() - now.getTime()) / 1000);
  if (seconds <= 0) return t('error.retry_now');
  if (seconds < 90) return tn('error.retry_in_seconds', seconds);
  const sameDay = at.toDateString() === now.toDateString();
  return t('error.retry_at', { time: sameDay ? formatTime(at) : formatDateTime(at) });
}

/** The server's message for each field it refused, by the field's name in the form. */
export function fieldErrors(error: unknown, rename: Record<string, string> = {}): Record<string, string> {
  if (!(error instanceof ApiProblem)) return {};
  const result: Record<string, string> = {};
  for (const { field, message } of error.errors) {
    const name = rename[field] ?? field;
    result[name] ??= message;
  }
  return result;
}

/** A server's field name as the form's by the first part of its name (`events[0]` is `events`). */
export function formField<F extends string>(field: string, fields: readonly F[]): F | null {
  const base = field.split(/[.[]/)[0] ?? field;
  return (fields as readonly string[]).includes(base) ? (base as F) : null;
}

function fallbackFor(status: number): MessageKey {
  if (status === 0) return 'error.network_error';
  if (status >= 500) return 'error.server_error';
  return 'error.unexpected';
}
