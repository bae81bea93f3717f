/**
 * The integrations page's logic: the API key and webhook forms checked before the server (which
 * stays the authority), a key's standing, how an attempt reads, and the delivery log kept as
 * pages (newest first) that a refresh of its first page and "load more" extend.
 */

import type { MessageKey } from '../../i18n';
import { getLocale } from '../../i18n';
import {
  API_KEY_SCOPES,
  WEBHOOK_EVENTS,
  type ApiKey,
  type AttemptPage,
  type DeliveryAttempt,
  type NewApiKey,
  type NewWebhook,
  type WebhookEvent,
} from '../../data/integrations';

export const KEY_NAME_MAX = 100;
export const URL_MAX = 2000;
export const DESCRIPTION_MAX = 500;

export type FormErrors<F extends string> = Partial<Record<F, MessageKey>>;

export type KeyField = 'name' | 'scopes' | 'expires_at';
export interface KeyForm {
  name: string;
  scopes: readonly string[];
  /** A day as `<input type="date">` gives it ("2030-01-31"), or empty for no expiry. */
  expires: string;
}

const chars = (value: string) => [...value].length;

/** `date` ("YYYY-MM-DD") as a local calendar day, or null when it is not one. */
function localDay(date: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(year, month - 1, day);
  return d.getFullYear() === year && d.getMonth() === month - 1 && d.getDate() === day ? d : null;
}

/** Today in the user's time zone, as a date input wants it (its `min`). */
export function today(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A key chosen to expire on a day lasts that whole day, in the user's time zone: its last
 * second, as RFC 3339 in UTC. */
export function endOfDay(date: string): string | null {
  const day = localDay(date);
  if (!day) return null;
  day.setHours(23, 59, 59, 0);
  return day.toISOString().replace(/\.000Z$/, 'Z');
}

export function checkKeyForm(form: KeyForm, now: Date): { errors: FormErrors<KeyField>; request: NewApiKey | null } {
  const errors: FormErrors<KeyField> = {};
  const name = form.name.trim();
  if (!name) errors.name = 'integrations.key.name_required';
  else if (chars(name) > KEY_NAME_MAX) errors.name = 'integrations.key.name_long';
  const scopes = API_KEY_SCOPES.filter((s) => form.scopes.includes(s));
  if (!scopes.length) errors.scopes = 'integrations.key.scopes_required';
  let expires: string | null = null;
  if (form.expires.trim()) {
    expires = endOfDay(form.expires);
    if (!expires) errors.expires_at = 'integrations.key.expires_invalid';
    else if (Date.parse(expires) <= now.getTime()) errors.expires_at = 'integrations.key.expires_past';
  }
  if (Object.keys(errors).length) return { errors, request: null };
  return { errors, request: expires ? { name, scopes, expires_at: expires } : { name, scopes } };
}

export type KeyState = 'active' | 'expired' | 'revoked';

export function keyState(key: Pick<ApiKey, 'expires_at' | 'revoked_at'>, now: Date): KeyState {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && Date.parse(key.expires_at) <= now.getTime()) return 'expired';
  return 'active';
}

export type WebhookField = 'url' | 'events' | 'description';
export interface WebhookForm {
  url: string;
  events: readonly string[];
  description: string;
}

/** An http(s) address with a host; whether it may be reached (not a private or loopback
 * address) only the server can say (`invalid_target`). */
export function urlProblem(value: string): MessageKey | null {
  const url = value.trim();
  if (!url) return 'integrations.webhook.url_required';
  if (chars(url) > URL_MAX) return 'integrations.webhook.url_long';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'integrations.webhook.url_invalid';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'integrations.webhook.url_scheme';
  return parsed.hostname ? null : 'integrations.webhook.url_invalid';
}

export function checkWebhookForm(form: WebhookForm): { errors: FormErrors<WebhookField>; request: NewWebhook | null } {
  const errors: FormErrors<WebhookField> = {};
  const url = urlProblem(form.url);
  if (url) errors.url = url;
  const events: WebhookEvent[] = WEBHOOK_EVENTS.filter((e) => form.events.includes(e));
  if (!events.length) errors.events = 'integrations.webhook.events_required';
  const description = form.description.trim();
  if (chars(description) > DESCRIPTION_MAX) errors.description = 'integrations.webhook.description_long';
  if (Object.keys(errors).length) return { errors, request: null };
  const request: NewWebhook = { url: form.url.trim(), events };
  return { errors, request: description ? { ...request, description } : request };
}

export { formField } from '../../errors/describe';

/** A checkbox list toggled: in the order of `all`, so requests read the same whatever the clicks. */
export function toggled<T extends string>(all: readonly T[], chosen: readonly string[], value: T, on: boolean): T[] {
  return all.filter((v) => (v === value ? on : chosen.includes(v)));
}

/** An attempt answered with a 2xx status. */
export function succeeded(attempt: Pick<DeliveryAttempt, 'status_code'>): boolean {
  const code = attempt.status_code ?? null;
  return code !== null && code >= 200 && code < 300;
}

/** "85 ms", "1.2 s", "30 s" in the user's language. */
export function formatMs(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return new Intl.NumberFormat(getLocale(), { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 0 }).format(value);
  const seconds = value / 1000;
  return new Intl.NumberFormat(getLocale(), { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: seconds < 10 ? 1 : 0 }).format(seconds);
}

/** The delivery log as shown: the attempts loaded (newest first) and where the next page starts. */
export interface AttemptLog {
  items: DeliveryAttempt[];
  cursor: string | null;
  /** Pages past the first were loaded: a refresh of the first keeps them, and their cursor. */
  extended: boolean;
}

const key = (a: DeliveryAttempt) => String(a.id);

/** The first page as it is now, over what is shown: new attempts on top, the older pages kept. */
export function withHead(shown: AttemptLog | null, head: AttemptPage): AttemptLog {
  const cursor = head.next_cursor ?? null;
  if (!shown || !shown.extended || cursor === null) return { items: head.data, cursor, extended: false };
  const fresh = new Set(head.data.map(key));
  return { items: [...head.data, ...shown.items.filter((a) => !fresh.has(key(a)))], cursor: shown.cursor, extended: true };
}

/** The next page appended, without an attempt twice (the log moved meanwhile). */
export function withPage(shown: AttemptLog, page: AttemptPage): AttemptLog {
  const held = new Set(shown.items.map(key));
  return { items: [...shown.items, ...page.data.filter((a) => !held.has(key(a)))], cursor: page.next_cursor ?? null, extended: true };
}

/** A delivery queued from this page (a test, a replay), awaited until an attempt of it appears
 * that was not in the log when it was queued. */
export interface Awaited {
  deliveryId: string;
  known: string[];
}

export function awaiting(deliveryId: string, log: AttemptLog | null): Awaited {
  return { deliveryId, known: (log?.items ?? []).filter((a) => a.delivery_id === deliveryId).map(key) };
}

/** What is still awaited once `items` are shown. */
export function stillAwaited(awaited: readonly Awaited[], items: readonly DeliveryAttempt[]): Awaited[] {
  return awaited.filter((w) => !items.some((a) => a.delivery_id === w.deliveryId && !w.known.includes(key(a))));
}

/** When to read the log again to show a retry due soon (a failed attempt's next one comes 5 s
 * later): a moment after the soonest next attempt of a delivery, if within `horizonMs`; a retry
 * overdue by more than half a minute is not waited for (the worker is busy, or down). */
export function retryRefreshIn(items: readonly DeliveryAttempt[], now: Date, horizonMs = 60_000): number | null {
  let soonest: number | null = null;
  for (const i of newestOfDelivery(items)) {
    const at = items[i]?.next_attempt_at;
    if (!at) continue;
    const due = Date.parse(at) - now.getTime();
    if (Number.isNaN(due) || due < -30_000 || due > horizonMs) continue;
    soonest = soonest === null ? due : Math.min(soonest, due);
  }
  return soonest === null ? null : Math.max(2000, soonest + 1500);
}

/** The newest attempt of each delivery (the one its "Replay" goes beside), by index in `items`. */
export function newestOfDelivery(items: readonly DeliveryAttempt[]): Set<number> {
  const seen = new Set<string>();
  const newest = new Set<number>();
  items.forEach((a, i) => {
    if (!seen.has(a.delivery_id)) newest.add(i);
    seen.add(a.delivery_id);
  });
  return newest;
}
