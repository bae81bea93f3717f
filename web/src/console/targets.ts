/**
 * SLA targets as people read and type them: in minutes, hours or days, the API keeping whole
 * minutes. A day is 24 hours around the clock; under a schedule it is a *business day*, the
 * working time of the schedule's typical working day (`businessDayMinutes`): 8 business hours
 * for a schedule open 9:00 to 17:00 on weekdays. A value that is not whole hours is shown in
 * minutes, never rounded.
 */

import type { Interval } from '../data/schedules';
import { getLocale, t, tn } from '../i18n';
import { minutesOf } from './schedules';

export type TargetUnit = 'minutes' | 'hours' | 'days';
export const TARGET_UNITS: readonly TargetUnit[] = ['minutes', 'hours', 'days'];

/** 24 hours: a day around the clock, and a delay's day (auto-close counts the wall clock). */
export const CLOCK_DAY = 1440;

/** How many minutes a unit holds; `day` the minutes of a day (`null`: no day can be said). */
export function unitMinutes(unit: TargetUnit, day: number | null): number | null {
  if (unit === 'minutes') return 1;
  if (unit === 'hours') return 60;
  return day;
}

/** An amount typed in a unit as whole minutes: a number (a point or a comma before its decimals)
 * times the unit. `null`: not a positive-or-zero number, or not a whole number of minutes (0.01
 * hours), or days when no day can be said. Bounds are the form's to check. */
export function toMinutes(amount: string, unit: TargetUnit, day: number | null): number | null {
  const typed = amount.trim().replace(',', '.');
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(typed)) return null;
  const per = unitMinutes(unit, day);
  if (per === null) return null;
  const total = Number(typed) * per;
  const whole = Math.round(total);
  return Number.isFinite(total) && Math.abs(total - whole) < 1e-6 ? whole : null;
}

/** The largest unit a number of minutes is whole in: days, else hours, else minutes. */
export function bestUnit(minutes: number, day: number | null): TargetUnit {
  if (minutes > 0 && day && minutes % day === 0) return 'days';
  if (minutes > 0 && minutes % 60 === 0) return 'hours';
  return 'minutes';
}

/** A target as its field shows it first: the amount in its best unit, exact. */
export function targetInput(minutes: number, day: number | null): { amount: string; unit: TargetUnit } {
  const unit = bestUnit(minutes, day);
  return { amount: String(minutes / (unitMinutes(unit, day) ?? 1)), unit };
}

/** What a target field hands its form: the whole minutes (`"90"`), nothing (`""`, left empty),
 * or the amount and unit as typed when they make no whole minutes, which the form's check of
 * minutes refuses. */
export function encodeTarget(amount: string, unit: TargetUnit, day: number | null): string {
  if (!amount.trim()) return '';
  const minutes = toMinutes(amount, unit, day);
  return minutes === null ? `${amount.trim()} ${unit}` : String(minutes);
}

/** A schedule's business day, in minutes: the working time of its typical working day. Each
 * weekday's intervals are added up; among the days that work at all, the total most of them
 * share is the business day, and on a tie the longer (Monday to Thursday 8 h and Friday 7 h: 8 h;
 * 9 h on two days and 4 h on two: 9 h). Holidays do not change it. `null`: no working hours. */
export function businessDayMinutes(intervals: readonly Pick<Interval, 'day' | 'start' | 'end'>[]): number | null {
  const byDay = new Map<string, number>();
  for (const { day, start, end } of intervals) {
    const [from, to] = [minutesOf(start), minutesOf(end)];
    if (from === null || to === null || to <= from) continue;
    byDay.set(day, (byDay.get(day) ?? 0) + to - from);
  }
  const counts = new Map<number, number>();
  for (const total of byDay.values()) if (total > 0) counts.set(total, (counts.get(total) ?? 0) + 1);
  let best: [number, number] | null = null;
  for (const [total, count] of counts) {
    if (!best || count > best[1] || (count === best[1] && total > best[0])) best = [total, count];
  }
  return best ? best[0] : null;
}

const unit = (value: number, name: 'day' | 'hour' | 'minute') => new Intl.NumberFormat(getLocale(), { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);

/** A length of time in full, every unit it needs, never rounded: "1 day 2 hr 5 min"; without
 * days when `days` is false ("26 hr"). */
export function exactDuration(minutes: number, days = true): string {
  const whole = Math.max(0, Math.round(minutes));
  const d = days ? Math.floor(whole / CLOCK_DAY) : 0;
  const h = Math.floor((whole - d * CLOCK_DAY) / 60);
  const m = whole % 60;
  const parts: string[] = [];
  if (d) parts.push(unit(d, 'day'));
  if (h) parts.push(unit(h, 'hour'));
  if (m || !parts.length) parts.push(unit(m, 'minute'));
  return parts.join(' ');
}

/** A number of hours, decimals only when needed: "8", "7.5" ("7,5" in French). */
export const hoursAmount = (minutes: number) => new Intl.NumberFormat(getLocale(), { maximumFractionDigits: 2 }).format(minutes / 60);

/** A target in words. Around the clock (`businessDay` undefined): its full duration ("1 day 4 hr").
 * Under a schedule: business time ("16 hr of business hours"), and the business days it makes
 * when whole ("2 business days (16 hr of business hours)"). */
export function targetText(minutes: number, businessDay?: number | null): string {
  if (businessDay === undefined) return exactDuration(minutes);
  const time = t('targets.business_time', { duration: exactDuration(minutes, false) });
  if (businessDay && minutes > 0 && minutes % businessDay === 0) return t('targets.in_days', { days: tn('targets.business_days', minutes / businessDay), time });
  return time;
}

/** What a business day of a schedule is, in a sentence: "8 business hours = 1 business day of
 * Paris office". */
export function businessDayText(name: string, day: number | null): string {
  if (day === null) return t('targets.no_hours', { name });
  return t('targets.business_day', { hours: tn('targets.business_hours', day / 60, { count: hoursAmount(day) }), name });
}
