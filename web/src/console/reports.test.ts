import { afterEach, describe, expect, it } from 'vitest';
import type { Digest, Measures, Performance, PerformanceRow } from '../data/reports';
import { setLocale } from '../i18n';
import {
  addDays,
  busiestGroup,
  byGroup,
  checkDigestForm,
  checkFilters,
  csvFallbackName,
  csvQuery,
  defaultFilters,
  digestErrorOf,
  digestFormValues,
  durationUnit,
  formatMinutes,
  formatRatio,
  groupLabel,
  groupQuery,
  isDate,
  periodLabel,
  performanceQuery,
  recipientRow,
  reportErrorOf,
  reportGroups,
  tableRows,
  timingOverTime,
  type DigestFormValues,
} from './reports';

const nbsp = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

const measures = (over: Partial<Measures> = {}): Measures => ({
  created: 0,
  resolved: 0,
  reopened: 0,
  first_response_minutes: { median: null, p90: null },
  resolution_minutes: { median: null, p90: null },
  sla_met_ratio: null,
  csat_average: null,
  ...over,
});

const row = (key: string | null, label: string | null, period_start: string | null, over: Partial<Measures> = {}): PerformanceRow => ({ key, label, period_start, ...measures(over) });

afterEach(() => setLocale('en'));

describe('the range', () => {
  it('counts calendar days across months, years and leap days', () => {
    expect(addDays('2026-10-31', 1)).toBe('2026-11-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(() => addDays('yesterday', 1)).toThrow();
  });

  it('tells real dates from the rest', () => {
    expect(isDate('2026-02-28')).toBe(true);
    expect(isDate('2026-02-30')).toBe(false);
    expect(isDate('2026-2-3')).toBe(false);
    expect(isDate('')).toBe(false);
  });

  it('defaults to the last 30 days, today included, by team and by week', () => {
    expect(defaultFilters('2026-11-27')).toEqual({ from: '2026-10-29', to: '2026-11-27', groupBy: 'team', period: 'week' });
  });

  it('sends the day after the last one shown, the period unless none, and the zone', () => {
    const filters = { from: '2026-10-01', to: '2026-10-31', groupBy: 'agent' as const, period: 'week' as const };
    expect(performanceQuery(filters, 'Europe/Paris')).toEqual({ from: '2026-10-01', to: '2026-11-01', group_by: 'agent', period: 'week', time_zone: 'Europe/Paris' });
    expect(performanceQuery({ ...filters, period: 'none' }, 'UTC')).toEqual({ from: '2026-10-01', to: '2026-11-01', group_by: 'agent', time_zone: 'UTC' });
    expect(groupQuery(performanceQuery(filters, 'UTC'))).toEqual({ from: '2026-10-01', to: '2026-11-01', group_by: 'agent', time_zone: 'UTC' });
    const csv = csvQuery(filters, 'Europe/Paris');
    expect(csv).toEqual({ from: '2026-10-01', to: '2026-11-01', time_zone: 'Europe/Paris' });
    expect(csvFallbackName(csv)).toBe('tickets-2026-10-01-2026-11-01.csv');
  });

  it('says a missing or malformed date before sending, and leaves the order to the server', () => {
    const filters = { from: '', to: '2026-13-01', groupBy: 'team' as const, period: 'none' as const };
    expect(checkFilters(filters)).toEqual({ from: 'reports.filters.from_required', to: 'reports.filters.date_invalid' });
    expect(checkFilters({ ...filters, from: '2026-11-20', to: '2026-11-10' })).toEqual({});
  });

  it('puts the server’s refusals beside their controls, the zone with the form', () => {
    expect(reportErrorOf('from')).toEqual({ control: 'from', message: 'reports.error.from' });
    expect(reportErrorOf('to')?.control).toBe('to');
    expect(reportErrorOf('group_by')?.control).toBe('groupBy');
    expect(reportErrorOf('period')?.control).toBe('period');
    expect(reportErrorOf('time_zone')?.control).toBe('form');
    expect(reportErrorOf('status')).toBeNull();
  });
});

describe('numbers in words', () => {
  it('writes minutes, then hours and days; nothing measured is a dash', () => {
    expect(formatMinutes(null)).toBe('—');
    expect(formatMinutes(undefined)).toBe('—');
    expect(formatMinutes(2.5)).toBe('2.5 min');
    expect(formatMinutes(12.5)).toBe('13 min');
    expect(formatMinutes(45)).toBe('45 min');
    expect(formatMinutes(90)).toBe('1 hr 30 min');
    expect(formatMinutes(300)).toBe('5 hr');
    expect(formatMinutes(3 * 1440 + 125)).toBe('3 days 2 hr');
    setLocale('fr');
    expect(nbsp(formatMinutes(2.5))).toBe('2,5 min');
    expect(nbsp(formatMinutes(90))).toBe('1 h 30 min');
  });

  it('writes ratios as percentages', () => {
    expect(formatRatio(0.9)).toBe('90%');
    expect(formatRatio(0.875)).toBe('87.5%');
    expect(formatRatio(null)).toBe('—');
    setLocale('fr');
    expect(nbsp(formatRatio(1))).toBe('100 %');
  });

  it('names groups: null keys by grouping, priorities and channels translated', () => {
    expect(groupLabel({ key: null, label: null }, 'team')).toBe('No team');
    expect(groupLabel({ key: null, label: null }, 'agent')).toBe('Unassigned');
    expect(groupLabel({ key: null, label: null }, 'tag')).toBe('No tag');
    expect(groupLabel({ key: 'b1', label: 'Billing' }, 'team')).toBe('Billing');
    expect(groupLabel({ key: 'refund', label: null }, 'tag')).toBe('refund');
    expect(groupLabel({ key: 'urgent', label: 'urgent' }, 'priority')).toBe('Urgent');
    expect(groupLabel({ key: 'email', label: 'email' }, 'channel')).toBe('Email');
    setLocale('fr');
    expect(groupLabel({ key: 'high', label: 'high' }, 'priority')).toBe('Haute');
    expect(groupLabel({ key: null, label: null }, 'team')).toBe('Sans équipe');
  });

  it('names periods by their first day', () => {
    expect(periodLabel('2026-10-05', 'day')).toBe('Oct 5, 2026');
    expect(periodLabel('2026-10-05', 'week')).toBe('Week of Oct 5, 2026');
    expect(periodLabel('2026-10-01', 'month')).toBe('October 2026');
    expect(periodLabel(null, 'week')).toBe('—');
    setLocale('fr');
    expect(periodLabel('2026-10-05', 'week')).toBe('Semaine du 5 oct. 2026');
  });
});

describe('the charts’ data', () => {
  const rows = [
    row('t1', 'Billing', '2026-10-05', { created: 2, first_response_minutes: { median: 10, p90: 30 }, resolution_minutes: { median: 300, p90: 900 } }),
    row(null, null, '2026-10-05', { created: 1 }),
    row('t1', 'Billing', '2026-10-12', { created: 3, first_response_minutes: { median: 20, p90: null }, resolution_minutes: { median: 60, p90: 90 } }),
    row('t2', 'Returns', '2026-10-12', { created: 4 }),
  ];

  it('lists the groups once, their tickets summed, the busiest first shown', () => {
    const groups = reportGroups(rows, 'team');
    expect(groups).toEqual([
      { id: 't1', label: 'Billing', created: 5 },
      { id: '', label: 'No team', created: 1 },
      { id: 't2', label: 'Returns', created: 4 },
    ]);
    expect(busiestGroup(groups)).toBe('t1');
    expect(busiestGroup([])).toBeNull();
  });

  it('draws durations in hours once they reach two hours', () => {
    expect(durationUnit([10, null, 119])).toBe('minutes');
    expect(durationUnit([10, 120])).toBe('hours');
    expect(durationUnit([])).toBe('minutes');
  });

  it('shapes one group’s times period by period, in one unit per chart', () => {
    const first = timingOverTime(rows, 't1', 'first_response_minutes');
    expect(first).toEqual({
      unit: 'minutes',
      periods: ['2026-10-05', '2026-10-12'],
      median: [10, 20],
      p90: [30, null],
      minutes: [
        { median: 10, p90: 30 },
        { median: 20, p90: null },
      ],
    });
    const resolution = timingOverTime(rows, 't1', 'resolution_minutes');
    expect(resolution.unit).toBe('hours');
    expect(resolution.median).toEqual([5, 1]);
    expect(resolution.p90).toEqual([15, 1.5]);
    expect(timingOverTime(rows, '', 'resolution_minutes').median).toEqual([null]);
  });

  it('shapes each group’s medians and SLA met share', () => {
    const shaped = byGroup(
      [
        row('low', 'low', null, { first_response_minutes: { median: 30, p90: 50 }, resolution_minutes: { median: 600, p90: null }, sla_met_ratio: 0.875 }),
        row('urgent', 'urgent', null, { first_response_minutes: { median: 6, p90: 8 }, sla_met_ratio: null }),
      ],
      'priority',
    );
    expect(shaped).toEqual({ unit: 'hours', labels: ['Low', 'Urgent'], firstResponse: [0.5, 0.1], resolution: [10, null], slaMet: [87.5, null] });
  });

  it('writes the table’s rows, dashes for what was not measured', () => {
    const report: Performance = {
      from: '2026-10-01T00:00:00Z',
      to: '2026-11-01T00:00:00Z',
      group_by: 'team',
      period: 'week',
      time_zone: 'UTC',
      total: measures({ created: 3 }),
      rows: rows.slice(0, 2),
    };
    expect(tableRows(report)).toEqual([
      {
        key: 't1|2026-10-05',
        group: 'Billing',
        period: 'Week of Oct 5, 2026',
        created: 2,
        resolved: 0,
        reopened: 0,
        firstMedian: '10 min',
        firstP90: '30 min',
        resolutionMedian: '5 hr',
        resolutionP90: '15 hr',
        slaMet: '—',
        csat: '—',
      },
      expect.objectContaining({ key: '|2026-10-05', group: 'No team', firstMedian: '—' }),
    ]);
  });
});

describe('the digest’s form', () => {
  const saved: Digest = {
    frequency: 'weekly',
    weekday: 'tue',
    hour: 8,
    time_zone: 'Europe/Paris',
    recipients: ['a@example.com', 'b@example.com'],
    last_sent_period_end: null,
    next_send_at: null,
  };
  const values = (over: Partial<DigestFormValues> = {}): DigestFormValues => ({ ...digestFormValues(saved), ...over });

  it('starts from what the server keeps, with a row to type in when there is none', () => {
    const form = digestFormValues(saved);
    expect([form.frequency, form.weekday, form.hour, form.timeZone]).toEqual(['weekly', 'tue', '8', 'Europe/Paris']);
    expect(form.recipients.map((r) => r.email)).toEqual(['a@example.com', 'b@example.com']);
    expect(digestFormValues({ ...saved, recipients: [] }).recipients.map((r) => r.email)).toEqual(['']);
  });

  it('sends the addresses typed, trimmed, empty rows left out, with the row each came from', () => {
    const { errors, request, sources } = checkDigestForm(values({ recipients: [recipientRow(' a@example.com '), recipientRow(''), recipientRow('c@example.com')] }));
    expect(errors).toEqual({});
    expect(request).toEqual({ frequency: 'weekly', weekday: 'tue', hour: 8, time_zone: 'Europe/Paris', recipients: ['a@example.com', 'c@example.com'] });
    expect(sources).toEqual([0, 2]);
  });

  it('says a bad address beside its row, too many, none while on, a missing zone', () => {
    expect(checkDigestForm(values({ recipients: [recipientRow('a@example.com'), recipientRow('not an address')] })).errors).toEqual({ 'recipient.1': 'reports.digest.recipient_invalid' });
    const many = Array.from({ length: 21 }, (_, i) => recipientRow(`p${i}@example.com`));
    expect(checkDigestForm(values({ recipients: many })).errors).toEqual({ recipients: 'reports.digest.recipients_many' });
    expect(checkDigestForm(values({ recipients: [recipientRow('')] })).errors).toEqual({ recipients: 'reports.digest.recipients_none' });
    expect(checkDigestForm(values({ frequency: 'off', recipients: [recipientRow('')] })).request?.recipients).toEqual([]);
    expect(checkDigestForm(values({ timeZone: ' ' })).errors).toEqual({ timeZone: 'reports.digest.zone_required' });
    expect(checkDigestForm(values({ hour: '24' })).errors).toEqual({ hour: 'reports.digest.hour_invalid' });
  });

  it('puts the server’s refusals beside the row or control they name', () => {
    expect(digestErrorOf('recipients[1]', [0, 2])).toEqual({ error: 'recipient.2', message: 'reports.digest.recipient_invalid' });
    expect(digestErrorOf('recipients[5]', [0, 2])?.error).toBe('recipients');
    expect(digestErrorOf('recipients', [])).toEqual({ error: 'recipients', message: 'reports.digest.recipients_none' });
    expect(digestErrorOf('recipients', Array.from({ length: 21 }, (_, i) => i))).toEqual({ error: 'recipients', message: 'reports.digest.recipients_many' });
    expect(digestErrorOf('time_zone', [])?.error).toBe('timeZone');
    expect(digestErrorOf('hour', [])?.error).toBe('hour');
    expect(digestErrorOf('weekday', [])?.error).toBe('weekday');
    expect(digestErrorOf('frequency', [])?.error).toBe('frequency');
    expect(digestErrorOf('colour', [])).toBeNull();
  });
});
