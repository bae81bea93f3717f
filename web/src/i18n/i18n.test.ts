import { describe, expect, it } from 'vitest';
import { interpolate, pickLocale, placeholders } from './core';
import { areas as enAreas, en } from './en';
import { areas as frAreas, fr } from './fr';
import { formatAverage, formatBytes, formatMoney, setLocale, t, tn } from '.';

describe('dictionaries', () => {
  it('have the same keys in both languages, area by area', () => {
    for (const [area, dictionary] of Object.entries(enAreas)) {
      const french = frAreas[area as keyof typeof frAreas];
      expect(Object.keys(french).sort(), area).toEqual(Object.keys(dictionary).sort());
    }
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it('have the same placeholders in both languages, and no empty text', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(fr[key]), key).toEqual(placeholders(en[key]));
      expect(en[key].trim(), key).not.toBe('');
      expect(fr[key].trim(), key).not.toBe('');
    }
  });

  it('hold no key twice across areas', () => {
    const all = Object.values(enAreas).flatMap((d) => Object.keys(d));
    expect(all.length).toBe(new Set(all).size);
  });

  it('hold no unused key', () => {
    const sources = import.meta.glob<string>(['../**/*.{ts,tsx}', '!../**/*.test.ts', '!./en/**', '!./fr/**'], { query: '?raw', import: 'default', eager: true });
    const code = Object.values(sources).join('\n');
    // Keys built from a value: `status.${ticket.status}`, `error.${code}`, plural forms.
    const dynamic = ['status.', 'priority.', 'role.', 'sla.due.', 'sla.breached.', 'portal.filter.', 'portal.actions.', 'auth.notice.', 'error.'];
    const unused = Object.keys(en).filter((key) => {
      if (dynamic.some((prefix) => key.startsWith(prefix))) return false;
      const plural = key.replace(/\.(zero|one|two|few|many|other)$/, '');
      return !code.includes(`'${key}'`) && !code.includes(`'${plural}'`);
    });
    expect(unused).toEqual([]);
  });
});

describe('pickLocale', () => {
  it('prefers the stored choice, then the browser languages, then English', () => {
    expect(pickLocale('fr', ['en-US'])).toBe('fr');
    expect(pickLocale(null, ['de-DE', 'fr-CA', 'en'])).toBe('fr');
    expect(pickLocale('xx', ['EN-gb'])).toBe('en');
    expect(pickLocale(null, ['de'])).toBe('en');
  });
});

describe('t', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(interpolate('Read {time}', { time: '10:00' })).toBe('Read 10:00');
    expect(interpolate('Hello {name}', {})).toBe('Hello {name}');
  });

  it('switches language and chooses plural forms', () => {
    setLocale('fr');
    expect(t('common.sign_out')).toBe('Se déconnecter');
    expect(tn('error.retry_in_seconds', 1)).toBe('Vous pourrez réessayer dans 1 seconde.');
    expect(tn('error.retry_in_seconds', 30)).toBe('Vous pourrez réessayer dans 30 secondes.');
    setLocale('en');
    expect(t('common.sign_out')).toBe('Sign out');
    expect(tn('error.retry_in_seconds', 1)).toBe('You can try again in 1 second.');
    expect(tn('error.retry_in_seconds', 0)).toBe('You can try again in 0 seconds.');
  });
});

describe('formatting', () => {
  it('writes money from cents in the currency and the language', () => {
    setLocale('en');
    expect(formatMoney(61250, 'EUR')).toBe('€612.50');
    expect(formatMoney(1999, 'usd')).toBe('$19.99');
    expect(formatMoney(500, 'XXXX')).toBe('5.00 XXXX');
    setLocale('fr');
    expect(formatMoney(61250, 'EUR').replace(/\s/g, ' ')).toBe('612,50 €');
    expect(formatAverage(4.25).replace(/\s/g, ' ')).toMatch(/^4,[23]$/);
    setLocale('en');
    expect(formatAverage(4)).toBe('4.0');
  });

  it('writes sizes with the plural a count takes', () => {
    setLocale('en');
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(157)).toBe('157 bytes');
    expect(formatBytes(1500)).toBe('1.5 kB');
    expect(formatBytes(2_400_000)).toBe('2.4 MB');
    setLocale('fr');
    expect(formatBytes(0)).toBe('0 octet');
    expect(formatBytes(1)).toBe('1 octet');
    expect(formatBytes(157)).toBe('157 octets');
    expect(formatBytes(1500).replace(/\s/g, ' ')).toBe('1,5 ko');
    setLocale('en');
  });
});
