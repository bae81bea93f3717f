import { describe, expect, it } from 'vitest';
import type { Schedule } from '../data/schedules';
import {
  checkScheduleForm,
  emptySchedule,
  holidayRow,
  hoursRow,
  minutesOf,
  nextHolidays,
  scheduleChange,
  scheduleErrorOf,
  scheduleFormValues,
  weekIntervals,
  weekSummary,
  weekdaysNineToFive,
  type ScheduleFormValues,
} from './schedules';

const paris: Schedule = {
  id: 'c0ffee00-0000-4000-8000-000000000001',
  name: 'Paris office',
  time_zone: 'Europe/Paris',
  intervals: [
    { day: 'mon', start: '09:00', end: '12:00' },
    { day: 'mon', start: '14:00', end: '18:00' },
    { day: 'tue', start: '09:00', end: '12:00' },
    { day: 'tue', start: '14:00', end: '18:00' },
    { day: 'sat', start: '10:00', end: '24:00' },
  ],
  holidays: [
    { date: '2030-05-01', name: 'Fête du Travail' },
    { date: '2030-12-25', name: 'Noël' },
  ],
  created_at: '2030-01-01T00:00:00Z',
  updated_at: '2030-01-01T00:00:00Z',
};

const form = (over: Partial<ScheduleFormValues>): ScheduleFormValues => ({ ...emptySchedule(), name: 'Support', timeZone: 'Europe/Paris', ...over });

describe('the week summary', () => {
  it('puts days in a row with the same hours together, Monday first, closed days left out', () => {
    expect(weekSummary(paris.intervals)).toEqual([
      { from: 'mon', to: 'tue', hours: '09:00–12:00, 14:00–18:00' },
      { from: 'sat', to: 'sat', hours: '10:00–24:00' },
    ]);
    expect(weekSummary([])).toEqual([]);
  });

  it('does not join days with a closed day between them, and orders each day’s hours', () => {
    expect(
      weekSummary([
        { day: 'wed', start: '14:00', end: '18:00' },
        { day: 'mon', start: '09:00', end: '17:00' },
        { day: 'wed', start: '08:00', end: '12:00' },
        { day: 'fri', start: '09:00', end: '17:00' },
      ]),
    ).toEqual([
      { from: 'mon', to: 'mon', hours: '09:00–17:00' },
      { from: 'wed', to: 'wed', hours: '08:00–12:00, 14:00–18:00' },
      { from: 'fri', to: 'fri', hours: '09:00–17:00' },
    ]);
  });

  it('lists the next holidays from today on', () => {
    expect(nextHolidays(paris.holidays, '2030-05-02')).toEqual([{ date: '2030-12-25', name: 'Noël' }]);
    expect(nextHolidays(paris.holidays, '2030-01-01', 1)).toEqual([{ date: '2030-05-01', name: 'Fête du Travail' }]);
  });
});

describe('the schedule form', () => {
  it('reads times typed loosely, up to 24:00', () => {
    expect([minutesOf('9:00'), minutesOf('09:30'), minutesOf('24:00'), minutesOf('9h15')]).toEqual([540, 570, 1440, 555]);
    expect([minutesOf('24:01'), minutesOf('12:60'), minutesOf('noon'), minutesOf('')]).toEqual([null, null, null, null]);
  });

  it('turns the rows into intervals, Monday first, empty rows left out, with the row of each', () => {
    const week = weekdaysNineToFive();
    week.mon = [hoursRow('9:00', '12:00'), hoursRow('', ''), hoursRow('14:00', '18:00')];
    week.sun = [hoursRow('20:00', '24:00')];
    const { intervals, sources } = weekIntervals(week);
    expect(intervals.slice(0, 3)).toEqual([
      { day: 'mon', start: '09:00', end: '12:00' },
      { day: 'mon', start: '14:00', end: '18:00' },
      { day: 'tue', start: '09:00', end: '17:00' },
    ]);
    expect(intervals).toHaveLength(7);
    expect(sources[1]).toEqual({ day: 'mon', index: 2 });
    expect(sources[6]).toEqual({ day: 'sun', index: 0 });
  });

  it('asks for a name and a zone, and checks each row before anything is sent', () => {
    expect(checkScheduleForm(emptySchedule()).errors).toEqual({ name: 'schedules.form.name_required', timeZone: 'schedules.form.zone_required' });
    const week = weekdaysNineToFive();
    week.mon = [hoursRow('9:00', '12:00'), hoursRow('11:00', '14:00'), hoursRow('12:00', '12:00')];
    week.tue = [hoursRow('25:00', 'soon'), hoursRow('12:00', '14:00'), hoursRow('09:00', '12:00')];
    week.wed = [hoursRow('24:00', '24:00')];
    expect(checkScheduleForm(form({ week })).errors).toEqual({
      'hours.mon.1.start': 'schedules.form.overlap',
      'hours.mon.2.end': 'schedules.form.end_before_start',
      'hours.tue.0.start': 'schedules.form.time_invalid',
      'hours.tue.0.end': 'schedules.form.time_invalid',
      'hours.wed.0.start': 'schedules.form.time_invalid',
    });
  });

  it('checks the holidays: a date and a name each, one per date', () => {
    const holidays = [holidayRow('2030-12-25', 'Noël'), holidayRow('', ''), holidayRow('2030-12-25', ''), holidayRow('25/12', 'Noël')];
    expect(checkScheduleForm(form({ holidays })).errors).toEqual({
      'holiday.2.date': 'schedules.form.holiday_date_taken',
      'holiday.2.name': 'schedules.form.holiday_name_required',
      'holiday.3.date': 'schedules.form.holiday_date_required',
    });
  });

  it('sends the schedule, trimmed, and only what changed', () => {
    const values = scheduleFormValues(paris);
    expect(values.week.mon.map((r) => [r.start, r.end])).toEqual([
      ['09:00', '12:00'],
      ['14:00', '18:00'],
    ]);
    const { request } = checkScheduleForm({ ...values, name: ' Paris office ' });
    expect(request).toEqual({ name: 'Paris office', time_zone: 'Europe/Paris', intervals: paris.intervals, holidays: paris.holidays });
    expect(scheduleChange(paris, request!)).toEqual({});
    values.week.sat.push(hoursRow('08:00', '09:00'));
    const changed = checkScheduleForm({ ...values, timeZone: 'Europe/Brussels' }).request!;
    expect(scheduleChange(paris, changed)).toEqual({ time_zone: 'Europe/Brussels', intervals: changed.intervals });
  });

  it('puts the server’s refusals beside the rows they name', () => {
    const week = weekdaysNineToFive();
    week.mon = [hoursRow('', ''), hoursRow('09:00', '12:00'), hoursRow('14:00', '18:00')];
    const { sources } = weekIntervals(week);
    expect(scheduleErrorOf('intervals[1].end', sources)).toEqual({ error: 'hours.mon.2.end', message: 'schedules.form.time_invalid' });
    expect(scheduleErrorOf('intervals[2].start', sources)).toEqual({ error: 'hours.tue.0.start', message: 'schedules.form.time_invalid' });
    expect(scheduleErrorOf('intervals[40].start', sources)?.error).toBe('week');
    expect(scheduleErrorOf('time_zone', sources)).toEqual({ error: 'timeZone', message: 'schedules.form.zone_unknown' });
    expect(scheduleErrorOf('intervals', sources)?.error).toBe('week');
    expect(scheduleErrorOf('holidays[3].date', sources)).toEqual({ error: 'holiday.3.date', message: 'schedules.form.holiday_date_taken' });
    expect(scheduleErrorOf('body', sources)).toBeNull();
  });
});
