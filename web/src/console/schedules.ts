/**
 * The admin form of a business hours schedule, as plain functions: the form as typed (each
 * weekday's hours and the holidays as rows), checked before the server (which stays the
 * authority: the time zone is its to know), the request it sends and what a change sends, the
 * server's field names as the form's rows, and the week as a short summary for the list.
 */

import type { Holiday, Interval, NewSchedule, Schedule, ScheduleChange, Weekday } from '../data/schedules';
import type { MessageKey } from '../i18n';

/** The days of the week, Monday first, as the API names them. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export const DAY_NAME: Record<Weekday, MessageKey> = {
  mon: 'schedules.day.mon',
  tue: 'schedules.day.tue',
  wed: 'schedules.day.wed',
  thu: 'schedules.day.thu',
  fri: 'schedules.day.fri',
  sat: 'schedules.day.sat',
  sun: 'schedules.day.sun',
};

export const DAY_SHORT: Record<Weekday, MessageKey> = {
  mon: 'schedules.day_short.mon',
  tue: 'schedules.day_short.tue',
  wed: 'schedules.day_short.wed',
  thu: 'schedules.day_short.thu',
  fri: 'schedules.day_short.fri',
  sat: 'schedules.day_short.sat',
  sun: 'schedules.day_short.sun',
};

/** The longest name, in characters (a schedule's and a holiday's). */
export const NAME_MAX = 100;
/** The most intervals a schedule holds, every day together. */
export const INTERVALS_MAX = 70;
export const HOLIDAYS_MAX = 500;
/** The most schedules an organisation keeps (the server refuses the 21st with `limit_reached`). */
export const SCHEDULES_MAX = 20;

/** Some zones to suggest when the browser cannot list them all. */
const COMMON_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Paris',
  'Europe/Brussels',
  'Europe/Zurich',
  'Europe/Berlin',
  'Europe/Madrid',
  'Africa/Casablanca',
  'America/Montreal',
  'America/Toronto',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Australia/Sydney',
];

/** The time zones to suggest: every one the browser knows, or a few common ones. */
export function timeZones(): string[] {
  const intl = Intl as { supportedValuesOf?: (key: 'timeZone') => string[] };
  try {
    const all = intl.supportedValuesOf?.('timeZone');
    if (all?.length) return all.includes('UTC') ? all : ['UTC', ...all];
  } catch {
    // An older browser: the common ones.
  }
  return COMMON_ZONES;
}

/** One interval as typed; `id` tells the rows apart while they are added and removed. */
export interface HoursRow {
  id: number;
  start: string;
  end: string;
}

export interface HolidayRow {
  id: number;
  date: string;
  name: string;
}

export type Week = Record<Weekday, HoursRow[]>;

export interface ScheduleFormValues {
  name: string;
  timeZone: string;
  week: Week;
  holidays: HolidayRow[];
}

export type HoursError = `hours.${Weekday}.${number}.${'start' | 'end'}`;
export type HolidayError = `holiday.${number}.${'date' | 'name'}`;
/** The form's errors: beside a field, an interval's or a holiday's input, the week or the
 * holidays as a whole, or the whole form's. */
export type ScheduleFormError = 'name' | 'timeZone' | 'week' | 'holidays' | 'form' | HoursError | HolidayError;

export const hoursError = (day: Weekday, index: number, part: 'start' | 'end'): HoursError => `hours.${day}.${index}.${part}`;
export const holidayError = (index: number, part: 'date' | 'name'): HolidayError => `holiday.${index}.${part}`;

let rows = 0;
export const hoursRow = (start = '', end = ''): HoursRow => ({ id: ++rows, start, end });
export const holidayRow = (date = '', name = ''): HolidayRow => ({ id: ++rows, date, name });

const emptyWeek = (): Week => ({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] });

/** Monday to Friday, 9:00 to 17:00; the weekend closed. */
export function weekdaysNineToFive(): Week {
  const week = emptyWeek();
  for (const day of WEEKDAYS.slice(0, 5)) week[day] = [hoursRow('09:00', '17:00')];
  return week;
}

export const emptySchedule = (): ScheduleFormValues => ({ name: '', timeZone: '', week: emptyWeek(), holidays: [] });

export function scheduleFormValues(schedule: Schedule): ScheduleFormValues {
  const week = emptyWeek();
  for (const interval of schedule.intervals) week[interval.day].push(hoursRow(interval.start, interval.end));
  return {
    name: schedule.name,
    timeZone: schedule.time_zone,
    week,
    holidays: schedule.holidays.map((h) => holidayRow(h.date, h.name)),
  };
}

/** Minutes from midnight of a time typed as `H:MM` or `HH:MM` (00:00 to 24:00); `null` otherwise. */
export function minutesOf(clock: string): number | null {
  const match = /^(\d{1,2})[:h.](\d{2})$/.exec(clock.trim());
  if (!match) return null;
  const [hours, minutes] = [Number(match[1]), Number(match[2])];
  const total = hours * 60 + minutes;
  return minutes < 60 && total <= 24 * 60 ? total : null;
}

/** A time as the API takes it: `HH:MM`. */
export const clockOf = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Where one of the request's intervals came from: its day and its row there. */
export interface RowRef {
  day: Weekday;
  index: number;
}

/** The week's rows as the API's intervals, Monday first, each day's rows in their order (a row
 * left empty is no interval), with the row each came from; times written `HH:MM` when they read
 * as times, as typed otherwise (for the server to refuse). */
export function weekIntervals(week: Week): { intervals: Interval[]; sources: RowRef[] } {
  const intervals: Interval[] = [];
  const sources: RowRef[] = [];
  for (const day of WEEKDAYS) {
    week[day].forEach((row, index) => {
      if (!row.start.trim() && !row.end.trim()) return;
      const [start, end] = [minutesOf(row.start), minutesOf(row.end)];
      intervals.push({ day, start: start === null ? row.start.trim() : clockOf(start), end: end === null ? row.end.trim() : clockOf(end) });
      sources.push({ day, index });
    });
  }
  return { intervals, sources };
}

const chars = (value: string) => [...value].length;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The errors to show, or the schedule to send, with the row of each of its intervals (to put the
 * server's refusals beside them: `scheduleErrorOf`). */
export function checkScheduleForm(form: ScheduleFormValues): {
  errors: Partial<Record<ScheduleFormError, MessageKey>>;
  request: NewSchedule | null;
  sources: RowRef[];
} {
  const errors: Partial<Record<ScheduleFormError, MessageKey>> = {};
  const name = form.name.trim();
  if (!name) errors.name = 'schedules.form.name_required';
  else if (chars(name) > NAME_MAX) errors.name = 'schedules.form.name_long';
  const timeZone = form.timeZone.trim();
  if (!timeZone) errors.timeZone = 'schedules.form.zone_required';
  for (const day of WEEKDAYS) {
    // Each day's intervals in time order, to find the ones that overlap.
    const taken: { start: number; end: number; index: number }[] = [];
    form.week[day].forEach((row, index) => {
      if (!row.start.trim() && !row.end.trim()) return;
      const [start, end] = [minutesOf(row.start), minutesOf(row.end)];
      if (start === null || start >= 24 * 60) errors[hoursError(day, index, 'start')] = 'schedules.form.time_invalid';
      if (end === null) errors[hoursError(day, index, 'end')] = 'schedules.form.time_invalid';
      if (start === null || end === null || start >= 24 * 60) return;
      if (end <= start) errors[hoursError(day, index, 'end')] = 'schedules.form.end_before_start';
      else taken.push({ start, end, index });
    });
    taken.sort((a, b) => a.start - b.start);
    for (let i = 1; i < taken.length; i++) {
      const [before, after] = [taken[i - 1]!, taken[i]!];
      // Touching is fine (12:00–14:00 then 14:00–18:00).
      if (after.start < before.end) errors[hoursError(day, Math.max(before.index, after.index), 'start')] = 'schedules.form.overlap';
    }
  }
  const { intervals, sources } = weekIntervals(form.week);
  if (intervals.length > INTERVALS_MAX) errors.week = 'schedules.form.intervals_many';
  const holidays: Holiday[] = [];
  const dates = new Set<string>();
  form.holidays.forEach((row, index) => {
    const [date, holiday] = [row.date.trim(), row.name.trim()];
    if (!date && !holiday) return;
    if (!DATE.test(date)) errors[holidayError(index, 'date')] = 'schedules.form.holiday_date_required';
    else if (dates.has(date)) errors[holidayError(index, 'date')] = 'schedules.form.holiday_date_taken';
    dates.add(date);
    if (!holiday) errors[holidayError(index, 'name')] = 'schedules.form.holiday_name_required';
    else if (chars(holiday) > NAME_MAX) errors[holidayError(index, 'name')] = 'schedules.form.name_long';
    holidays.push({ date, name: holiday });
  });
  if (holidays.length > HOLIDAYS_MAX) errors.holidays = 'schedules.form.holidays_many';
  if (Object.keys(errors).length) return { errors, request: null, sources };
  return { errors, request: { name, time_zone: timeZone, intervals, holidays }, sources };
}

const sameIntervals = (a: readonly Interval[], b: readonly Interval[]) => {
  const key = (list: readonly Interval[]) =>
    list
      .map((i) => `${i.day} ${i.start} ${i.end}`)
      .sort()
      .join('|');
  return key(a) === key(b);
};

const sameHolidays = (a: readonly Holiday[], b: readonly Holiday[]) => {
  const key = (list: readonly Holiday[]) =>
    list
      .map((h) => `${h.date} ${h.name}`)
      .sort()
      .join('|');
  return key(a) === key(b);
};

/** Only what differs from the schedule as it stands (`{}` when nothing does); the lists whole. */
export function scheduleChange(schedule: Schedule, request: NewSchedule): ScheduleChange {
  const change: ScheduleChange = {};
  if (request.name !== schedule.name) change.name = request.name;
  if (request.time_zone !== schedule.time_zone) change.time_zone = request.time_zone;
  if (!sameIntervals(schedule.intervals, request.intervals)) change.intervals = request.intervals;
  if (!sameHolidays(schedule.holidays, request.holidays ?? [])) change.holidays = request.holidays ?? [];
  return change;
}

/** A server's field name as the form's, with the words to show there: `intervals[3].end` is the
 * end of the row the fourth interval sent came from (`sources`, from `weekIntervals`); `null`
 * for one the form does not show. */
export function scheduleErrorOf(field: string, sources: readonly RowRef[]): { error: ScheduleFormError; message: MessageKey } | null {
  if (field === 'name') return { error: 'name', message: 'schedules.form.name_invalid' };
  if (field === 'time_zone') return { error: 'timeZone', message: 'schedules.form.zone_unknown' };
  if (field === 'intervals') return { error: 'week', message: 'schedules.form.overlap_server' };
  if (field === 'holidays') return { error: 'holidays', message: 'schedules.form.holidays_many' };
  const interval = /^intervals\[(\d+)\]\.(start|end)$/.exec(field);
  if (interval) {
    const source = sources[Number(interval[1])];
    const message = 'schedules.form.time_invalid';
    return source ? { error: hoursError(source.day, source.index, interval[2] as 'start' | 'end'), message } : { error: 'week', message };
  }
  const holiday = /^holidays\[(\d+)\]\.(date|name)$/.exec(field);
  if (holiday) {
    const part = holiday[2] as 'date' | 'name';
    return { error: holidayError(Number(holiday[1]), part), message: part === 'date' ? 'schedules.form.holiday_date_taken' : 'schedules.form.holiday_name_required' };
  }
  return null;
}

/** Days in a row with the same hours, as the list shows them: "Mon–Fri 09:00–12:00, 14:00–18:00". */
export interface WeekRun {
  from: Weekday;
  to: Weekday;
  /** The day's hours, in time order: `09:00–12:00, 14:00–18:00`. */
  hours: string;
}

/** The week in short, Monday first: the open days, consecutive days with the same hours together;
 * the closed days left out. */
export function weekSummary(intervals: readonly Interval[]): WeekRun[] {
  const runs: WeekRun[] = [];
  let previous: Weekday | null = null;
  for (const day of WEEKDAYS) {
    const hours = intervals
      .filter((i) => i.day === day)
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((i) => `${i.start}–${i.end}`)
      .join(', ');
    const last = runs[runs.length - 1];
    if (!hours) {
      previous = null;
      continue;
    }
    if (last && previous && last.to === previous && last.hours === hours) last.to = day;
    else runs.push({ from: day, to: day, hours });
    previous = day;
  }
  return runs;
}

/** The holidays from `today` (`YYYY-MM-DD`) on, the first `count` of them, by date. */
export function nextHolidays(holidays: readonly Holiday[], today: string, count = 3): Holiday[] {
  return holidays
    .filter((h) => h.date >= today)
    .sort((a, b) => a.date.localeCompare(b.date))
    .slice(0, count);
}

/** Today in the browser's own time zone, as `YYYY-MM-DD`. */
export function localToday(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}
