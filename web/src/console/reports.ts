/**
 * The Reports page as plain functions: the filters as typed (an inclusive range of dates, what to
 * group by, the period) and the query they send (the API's `to` is exclusive: the day after), a
 * duration, a ratio and a group in words, the answer's rows shaped for the charts, the server's
 * refusals by control; and the digest's form: its values from the API's answer, its checks, the
 * request it sends and where the server's refusals go.
 */

import type { Priority } from '../api/schemas';
import type { Digest, DigestChange, DigestFrequency, DigestWeekday, GroupBy, Measures, Performance, PerformanceQuery, PerformanceRow, Period, TicketsCsvQuery } from '../data/reports';
import { formatAverage, getLocale, t, type MessageKey } from '../i18n';
import { duration } from './format';
import { PRIORITIES } from './queue/views';

export const GROUP_BY: readonly GroupBy[] = ['agent', 'team', 'priority', 'tag', 'channel'];
export type PeriodChoice = Period | 'none';
export const PERIODS: readonly PeriodChoice[] = ['none', 'day', 'week', 'month'];

export const GROUP_BY_LABEL: Record<GroupBy, MessageKey> = {
  agent: 'reports.group_by.agent',
  team: 'reports.group_by.team',
  priority: 'reports.group_by.priority',
  tag: 'reports.group_by.tag',
  channel: 'reports.group_by.channel',
  organization: 'reports.group_by.organization',
};

/** The grouping as a word inside a sentence ("Median times by team"). */
export const GROUP_WORD: Record<GroupBy, MessageKey> = {
  agent: 'reports.group_word.agent',
  team: 'reports.group_word.team',
  priority: 'reports.group_word.priority',
  tag: 'reports.group_word.tag',
  channel: 'reports.group_word.channel',
  organization: 'reports.group_word.organization',
};

export const PERIOD_LABEL: Record<PeriodChoice, MessageKey> = {
  none: 'reports.period.none',
  day: 'reports.period.day',
  week: 'reports.period.week',
  month: 'reports.period.month',
};

/** What a group whose key is null stands for, by grouping. */
const NO_GROUP: Record<GroupBy, MessageKey> = {
  agent: 'reports.none.agent',
  team: 'reports.none.team',
  priority: 'reports.none.priority',
  tag: 'reports.none.tag',
  channel: 'reports.none.channel',
  organization: 'reports.none.organization',
};

const CHANNEL_WORD: Record<string, MessageKey> = {
  web: 'reports.channel.web',
  email: 'reports.channel.email',
  api: 'reports.channel.api',
};

/** The filters as the page holds them: dates as `YYYY-MM-DD`, `to` included. */
export interface ReportFilters {
  from: string;
  to: string;
  groupBy: GroupBy;
  period: PeriodChoice;
}

/** How many days the default range covers, today included. */
export const DEFAULT_DAYS = 30;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `days` after `date` (before, when negative), both `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  const match = DATE.exec(date);
  if (!match) throw new Error(`not a date: ${date}`);
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days));
  return day.toISOString().slice(0, 10);
}

/** Whether `text` is a real calendar date written `YYYY-MM-DD`. */
export function isDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return day.toISOString().slice(0, 10) === text;
}

/** The last 30 days (today included), by team and by week. */
export function defaultFilters(today: string): ReportFilters {
  return { from: addDays(today, 1 - DEFAULT_DAYS), to: today, groupBy: 'team', period: 'week' };
}

/** The browser's time zone, the one the dates and periods are read in. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export type FilterField = 'from' | 'to' | 'groupBy' | 'period';

/** What the form can tell before sending: a date missing or not a date. */
export function checkFilters(filters: ReportFilters): Partial<Record<FilterField, MessageKey>> {
  const errors: Partial<Record<FilterField, MessageKey>> = {};
  if (!filters.from.trim()) errors.from = 'reports.filters.from_required';
  else if (!isDate(filters.from.trim())) errors.from = 'reports.filters.date_invalid';
  if (!filters.to.trim()) errors.to = 'reports.filters.to_required';
  else if (!isDate(filters.to.trim())) errors.to = 'reports.filters.date_invalid';
  return errors;
}

/** The range as the API takes it: dates in `timeZone`, `to` the day after the last one shown. */
function range(filters: ReportFilters, timeZone: string) {
  return { from: filters.from.trim(), to: addDays(filters.to.trim(), 1), time_zone: timeZone };
}

export function performanceQuery(filters: ReportFilters, timeZone: string): PerformanceQuery {
  return { ...range(filters, timeZone), group_by: filters.groupBy, ...(filters.period === 'none' ? {} : { period: filters.period }) };
}

/** The same report with no period: each group over the whole range (a median cannot be made from
 * the periods' medians). */
export function groupQuery(query: PerformanceQuery): PerformanceQuery {
  const { period: _period, ...rest } = query;
  return rest;
}

export function csvQuery(filters: ReportFilters, timeZone: string): TicketsCsvQuery {
  return range(filters, timeZone);
}

/** The file's name when the server gives none. */
export const csvFallbackName = (query: TicketsCsvQuery) => `tickets-${query.from}-${query.to}.csv`;

/** The server's refusals of the report's parameters, by control (`time_zone` is the browser's,
 * said with the form), each in words. */
export function reportErrorOf(field: string): { control: FilterField | 'form'; message: MessageKey } | null {
  switch (field) {
    case 'from':
      return { control: 'from', message: 'reports.error.from' };
    case 'to':
      return { control: 'to', message: 'reports.error.to' };
    case 'group_by':
      return { control: 'groupBy', message: 'reports.error.group_by' };
    case 'period':
      return { control: 'period', message: 'reports.error.period' };
    case 'time_zone':
      return { control: 'form', message: 'reports.error.time_zone' };
    default:
      return null;
  }
}

export const NONE = '—';

/** A length of time from minutes: "2.5 min", "45 min", then hours and days ("1 hr 30 min",
 * "2 days 4 hr"); nothing measured is "—". */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || !Number.isFinite(minutes)) return NONE;
  if (minutes < 59.5) {
    const digits = minutes < 10 ? 1 : 0;
    return new Intl.NumberFormat(getLocale(), { style: 'unit', unit: 'minute', unitDisplay: 'short', maximumFractionDigits: digits }).format(minutes);
  }
  return duration(minutes);
}

/** A ratio as a percentage ("90%", "87.5 %"); none is "—". */
export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return NONE;
  return new Intl.NumberFormat(getLocale(), { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

export function formatCsat(average: number | null | undefined): string {
  return average === null || average === undefined ? NONE : formatAverage(average);
}

/** A group's name in words: the team's, the person's or the tag as the server names them, a
 * priority or a channel translated, and what a group without a key stands for. */
export function groupLabel(row: Pick<PerformanceRow, 'key' | 'label'>, groupBy: GroupBy): string {
  if (row.key === null || row.key === undefined) return t(NO_GROUP[groupBy]);
  const value = row.label ?? row.key;
  if (groupBy === 'priority') return (PRIORITIES as readonly string[]).includes(value) ? t(`priority.${value as Priority}`) : value;
  if (groupBy === 'channel') {
    const word = CHANNEL_WORD[value];
    return word ? t(word) : value;
  }
  return value;
}

/** A period by its first day (`YYYY-MM-DD`): "5 Oct 2026", "Week of 5 Oct 2026", "October 2026". */
export function periodLabel(start: string | null, period: Period | null): string {
  if (!start || !period) return NONE;
  // At noon, so that the browser's zone never moves it to another day.
  const day = new Date(`${start}T12:00:00`);
  if (period === 'month') return new Intl.DateTimeFormat(getLocale(), { month: 'long', year: 'numeric' }).format(day);
  const date = new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium' }).format(day);
  return period === 'week' ? t('reports.period.week_of', { date }) : date;
}

/** A group of the answer: its id (`''` for the null key), its name, its tickets. */
export interface Group {
  id: string;
  label: string;
  created: number;
}

const groupId = (row: Pick<PerformanceRow, 'key'>) => row.key ?? '';

/** The answer's groups, in the order they come (by name), each once, its tickets summed over
 * the periods. */
export function reportGroups(rows: readonly PerformanceRow[], groupBy: GroupBy): Group[] {
  const groups = new Map<string, Group>();
  for (const row of rows) {
    const id = groupId(row);
    const group = groups.get(id) ?? { id, label: groupLabel(row, groupBy), created: 0 };
    group.created += row.created;
    groups.set(id, group);
  }
  return [...groups.values()];
}

/** The group shown over time first: the one with the most tickets (the first of those). */
export function busiestGroup(groups: readonly Group[]): string | null {
  let best: Group | null = null;
  for (const group of groups) if (!best || group.created > best.created) best = group;
  return best?.id ?? null;
}

/** The unit a chart of durations is drawn in: hours once its largest value reaches two hours. */
export type DurationUnit = 'minutes' | 'hours';

export function durationUnit(values: readonly (number | null)[]): DurationUnit {
  const largest = Math.max(0, ...values.filter((v): v is number => v !== null && Number.isFinite(v)));
  return largest >= 120 ? 'hours' : 'minutes';
}

/** A value in minutes in the chart's unit, to one decimal; none stays none (no bar). */
export function inUnit(minutes: number | null, unit: DurationUnit): number | null {
  if (minutes === null || !Number.isFinite(minutes)) return null;
  return Math.round((unit === 'hours' ? minutes / 60 : minutes) * 10) / 10;
}

/** The duration measured: first response or resolution. */
export type Timing = 'first_response_minutes' | 'resolution_minutes';

export interface TimingSeries {
  unit: DurationUnit;
  /** The periods' first days, in order. */
  periods: string[];
  median: (number | null)[];
  p90: (number | null)[];
  /** The same in minutes, for the table beside the chart. */
  minutes: { median: number | null; p90: number | null }[];
}

/** One group's median and 90th percentile of `timing`, period by period. */
export function timingOverTime(rows: readonly PerformanceRow[], group: string, timing: Timing): TimingSeries {
  const own = rows.filter((row) => groupId(row) === group && row.period_start !== null);
  const minutes = own.map((row) => ({ median: row[timing].median ?? null, p90: row[timing].p90 ?? null }));
  const unit = durationUnit(minutes.flatMap((m) => [m.median, m.p90]));
  return {
    unit,
    periods: own.map((row) => row.period_start ?? ''),
    median: minutes.map((m) => inUnit(m.median, unit)),
    p90: minutes.map((m) => inUnit(m.p90, unit)),
    minutes,
  };
}

export interface GroupSeries {
  unit: DurationUnit;
  labels: string[];
  firstResponse: (number | null)[];
  resolution: (number | null)[];
  /** The share of tickets within their targets, in percent, to one decimal. */
  slaMet: (number | null)[];
}

/** Each group's medians (both in the same unit) and SLA met share, from a report without periods. */
export function byGroup(rows: readonly PerformanceRow[], groupBy: GroupBy): GroupSeries {
  const first = rows.map((row) => row.first_response_minutes.median ?? null);
  const resolution = rows.map((row) => row.resolution_minutes.median ?? null);
  const unit = durationUnit([...first, ...resolution]);
  return {
    unit,
    labels: rows.map((row) => groupLabel(row, groupBy)),
    firstResponse: first.map((m) => inUnit(m, unit)),
    resolution: resolution.map((m) => inUnit(m, unit)),
    slaMet: rows.map((row) => (row.sla_met_ratio === null || row.sla_met_ratio === undefined ? null : Math.round(row.sla_met_ratio * 1000) / 10)),
  };
}

/** A row of the table, in words. */
export interface TableRow {
  key: string;
  group: string;
  period: string;
  created: number;
  resolved: number;
  reopened: number;
  firstMedian: string;
  firstP90: string;
  resolutionMedian: string;
  resolutionP90: string;
  slaMet: string;
  csat: string;
}

export function tableRow(key: string, group: string, period: string, m: Measures): TableRow {
  return {
    key,
    group,
    period,
    created: m.created,
    resolved: m.resolved,
    reopened: m.reopened,
    firstMedian: formatMinutes(m.first_response_minutes.median),
    firstP90: formatMinutes(m.first_response_minutes.p90),
    resolutionMedian: formatMinutes(m.resolution_minutes.median),
    resolutionP90: formatMinutes(m.resolution_minutes.p90),
    slaMet: formatRatio(m.sla_met_ratio),
    csat: formatCsat(m.csat_average),
  };
}

/** The answer's rows in words, in its order. */
export function tableRows(report: Performance): TableRow[] {
  return report.rows.map((row) =>
    tableRow(`${groupId(row)}|${row.period_start ?? ''}`, groupLabel(row, report.group_by), periodLabel(row.period_start ?? null, report.period ?? null), row),
  );
}

// The digest.

export const FREQUENCIES: readonly DigestFrequency[] = ['off', 'daily', 'weekly'];
export const FREQUENCY_LABEL: Record<DigestFrequency, MessageKey> = {
  off: 'reports.digest.frequency.off',
  daily: 'reports.digest.frequency.daily',
  weekly: 'reports.digest.frequency.weekly',
};
/** The most addresses a digest goes to. */
export const RECIPIENTS_MAX = 20;

export interface RecipientRow {
  /** Tells the rows apart while they are added and removed. */
  id: number;
  email: string;
}

export interface DigestFormValues {
  frequency: DigestFrequency;
  weekday: DigestWeekday;
  /** `0` to `23`, as the select holds it. */
  hour: string;
  timeZone: string;
  recipients: RecipientRow[];
}

export type RecipientError = `recipient.${number}`;
export type DigestFormError = 'frequency' | 'weekday' | 'hour' | 'timeZone' | 'recipients' | 'form' | RecipientError;
export const recipientError = (index: number): RecipientError => `recipient.${index}`;

let rows = 0;
export const recipientRow = (email = ''): RecipientRow => ({ id: ++rows, email });

export function digestFormValues(digest: Digest): DigestFormValues {
  return {
    frequency: digest.frequency,
    weekday: digest.weekday,
    hour: String(digest.hour),
    timeZone: digest.time_zone,
    // One empty row to type in when there are none yet.
    recipients: digest.recipients.length ? digest.recipients.map((email) => recipientRow(email)) : [recipientRow()],
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The errors to show, or the request to send, with the row each address sent came from (rows
 * left empty are not sent). */
export function checkDigestForm(form: DigestFormValues): { errors: Partial<Record<DigestFormError, MessageKey>>; request: DigestChange | null; sources: number[] } {
  const errors: Partial<Record<DigestFormError, MessageKey>> = {};
  const recipients: string[] = [];
  const sources: number[] = [];
  form.recipients.forEach((row, index) => {
    const email = row.email.trim();
    if (!email) return;
    if (!EMAIL.test(email)) errors[recipientError(index)] = 'reports.digest.recipient_invalid';
    recipients.push(email);
    sources.push(index);
  });
  if (recipients.length > RECIPIENTS_MAX) errors.recipients = 'reports.digest.recipients_many';
  else if (form.frequency !== 'off' && !recipients.length) errors.recipients = 'reports.digest.recipients_none';
  const hour = Number(form.hour);
  if (!/^\d{1,2}$/.test(form.hour) || hour > 23) errors.hour = 'reports.digest.hour_invalid';
  const timeZone = form.timeZone.trim();
  if (!timeZone) errors.timeZone = 'reports.digest.zone_required';
  const request: DigestChange = { frequency: form.frequency, weekday: form.weekday, hour, time_zone: timeZone, recipients };
  return { errors, request: Object.keys(errors).length ? null : request, sources };
}

/** Where a refusal of the server goes (`recipients[2]`: beside the row it came from), in words;
 * `sources` holds the row of each address sent. */
export function digestErrorOf(field: string, sources: readonly number[]): { error: DigestFormError; message: MessageKey } | null {
  const recipient = /^recipients\[(\d+)\]$/.exec(field);
  if (recipient) {
    const row = sources[Number(recipient[1])];
    return row === undefined ? { error: 'recipients', message: 'reports.digest.recipient_invalid' } : { error: recipientError(row), message: 'reports.digest.recipient_invalid' };
  }
  switch (field) {
    case 'recipients':
      // Too many, or none for a digest that is on.
      return { error: 'recipients', message: sources.length > RECIPIENTS_MAX ? 'reports.digest.recipients_many' : 'reports.digest.recipients_none' };
    case 'time_zone':
      return { error: 'timeZone', message: 'reports.digest.zone_unknown' };
    case 'hour':
      return { error: 'hour', message: 'reports.digest.hour_invalid' };
    case 'weekday':
      return { error: 'weekday', message: 'reports.digest.weekday_invalid' };
    case 'frequency':
      return { error: 'frequency', message: 'reports.digest.frequency_invalid' };
    default:
      return null;
  }
}

/** An hour of the day as a clock reads it: "08:00". */
export const hourText = (hour: number) => `${String(hour).padStart(2, '0')}:00`;
