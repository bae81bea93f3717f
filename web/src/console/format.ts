/** Durations as people read them, in their language: "in 3 hours", "2 days ago", "1 h 30 min". */

import { getLocale } from '../i18n';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** `target` relative to `now` in the largest whole unit: "in 3 hours", "5 minutes ago". */
export function relativeTime(target: Date, now: Date): string {
  const delta = target.getTime() - now.getTime();
  const format = new Intl.RelativeTimeFormat(getLocale(), { numeric: 'always' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(delta) >= ms || unit === 'minute') {
      // Toward zero, so that "in 59 minutes" never reads "in 1 hour".
      return format.format(Math.trunc(delta / ms), unit);
    }
  }
  return format.format(0, 'minute');
}

/** A length of time in at most two units: "2 d 4 h", "1 h 30 min", "45 min". */
export function duration(totalMinutes: number): string {
  const minutes = Math.max(0, Math.round(totalMinutes));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts: [number, 'day' | 'hour' | 'minute'][] = [
    [days, 'day'],
    [hours, 'hour'],
    [rest, 'minute'],
  ];
  const shown = parts.filter(([value]) => value > 0).slice(0, 2);
  if (!shown.length) shown.push([0, 'minute']);
  return shown.map(([value, unit]) => new Intl.NumberFormat(getLocale(), { style: 'unit', unit, unitDisplay: 'short' }).format(value)).join(' ');
}
