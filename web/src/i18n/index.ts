/**
 * Translations and locale-aware formatting. Every user-visible string goes through `t`; the
 * dictionaries are split by area (src/i18n/{en,fr}/<area>.ts) so a new area adds its own files.
 * A language's words are a file of their own, fetched when it is first chosen (`loadLocale`,
 * before the first render), not carried by the app for every reader.
 */

import type { en } from './en';
import { interpolate, pickLocale, type Locale } from './core';

export type { Locale } from './core';
export type MessageKey = keyof typeof en;
export type Params = Record<string, string | number>;
type Dictionary = Record<MessageKey, string>;

export const LOCALES: readonly Locale[] = ['en', 'fr'];
const DICTIONARIES: Record<Locale, () => Promise<Dictionary>> = {
  en: () => import('./en').then((module) => module.en),
  fr: () => import('./fr').then((module) => module.fr),
};
const loaded: Partial<Record<Locale, Dictionary>> = {};
const STORAGE_KEY = 'helpdeskly.locale';

let locale: Locale = pickLocale(readStored(), typeof navigator !== 'undefined' ? navigator.languages : []);
const listeners = new Set<(locale: Locale) => void>();

/** Fetches a language's words once (the app's first render waits for the reader's). */
export async function loadLocale(wanted: Locale): Promise<void> {
  loaded[wanted] ??= await DICTIONARIES[wanted]();
}

export function t(key: MessageKey, params?: Params): string {
  // A key missing at run time (a bad cast) shows itself rather than an empty string.
  return interpolate(loaded[locale]?.[key] ?? key, params);
}

/** A count with its plural form: the dictionary holds `key.one`, `key.other` (and so on). */
export function tn(key: PluralKey, count: number, params?: Params): string {
  const category = new Intl.PluralRules(locale).select(count);
  const exact = `${key}.${category}` as MessageKey;
  const chosen = exact in (loaded[locale] ?? {}) ? exact : (`${key}.other` as MessageKey);
  return t(chosen, { count: formatNumber(count), ...params });
}

type PluralKey = MessageKey extends infer K ? (K extends `${infer Base}.other` ? Base : never) : never;

export function getLocale(): Locale {
  return locale;
}

/** Switches to `next`: at once when its words are here, else once they have been fetched. */
export function setLocale(next: Locale): Promise<void> {
  if (loaded[next]) {
    switchTo(next);
    return Promise.resolve();
  }
  return loadLocale(next).then(() => switchTo(next));
}

function switchTo(next: Locale): void {
  locale = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Storage may be unavailable (private mode); the choice then lasts for this page only.
  }
  applyToDocument();
  for (const listener of listeners) listener(next);
}

export function onLocaleChange(listener: (locale: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function applyToDocument(): void {
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

export function formatDateTime(value: string | Date): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value));
}

export function formatTime(value: Date): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(value);
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** An amount in minor units (cents) of an ISO 4217 currency; an unknown code is shown as given. */
export function formatMoney(cents: number, currency: string): string {
  const amount = cents / 100;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() }).format(amount);
  } catch {
    return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount)} ${currency}`;
  }
}

/** An average (a satisfaction score), to one decimal: "4.5", "4,5". */
export function formatAverage(value: number): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
}

export function formatDate(value: string | Date): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(value));
}

/** A size: "1 byte", "157 bytes", "1.5 kB" ("157 octets", "1,5 ko"). Bytes are counted in
 * words, as Intl's short unit reads "157 byte". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return tn('common.bytes', bytes);
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  // Decimal multiples, as the unit names say (kB = 1000 bytes).
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const style = { style: 'unit', unit: units[unit], unitDisplay: 'short', maximumFractionDigits: unit === 0 ? 0 : 1 } as const;
  return new Intl.NumberFormat(locale, style).format(value);
}

function readStored(): string | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage.getItem(STORAGE_KEY) : null;
  } catch {
    return null;
  }
}
