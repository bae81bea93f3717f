import { describe, expect, it } from 'vitest';
import { setLocale } from '../i18n';
import { duration, relativeTime } from './format';

describe('relativeTime', () => {
  it('uses the largest whole unit, rounded toward zero', () => {
    setLocale('en');
    const now = new Date('2030-01-01T12:00:00Z');
    expect(relativeTime(new Date('2030-01-01T15:20:00Z'), now)).toBe('in 3 hours');
    expect(relativeTime(new Date('2030-01-01T12:59:00Z'), now)).toBe('in 59 minutes');
    expect(relativeTime(new Date('2030-01-01T11:55:00Z'), now)).toBe('5 minutes ago');
    expect(relativeTime(new Date('2030-01-03T13:00:00Z'), now)).toBe('in 2 days');
    setLocale('fr');
    expect(relativeTime(new Date('2030-01-01T15:20:00Z'), now)).toBe('dans 3 heures');
    setLocale('en');
  });
});

describe('duration', () => {
  it('shows at most two units', () => {
    setLocale('en');
    expect(duration(90)).toBe('1 hr 30 min');
    expect(duration(3 * 1440 + 60 + 5)).toBe('3 days 1 hr');
    expect(duration(0)).toBe('0 min');
  });
});
