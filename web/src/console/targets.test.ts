import { describe, expect, it } from 'vitest';
import { setLocale } from '../i18n';
import { bestUnit, businessDayMinutes, businessDayText, encodeTarget, exactDuration, targetInput, targetText, toMinutes } from './targets';

const hours = (day: string, start: string, end: string) => ({ day: day as 'mon', start, end });
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];

describe('a target typed in a unit', () => {
  it('is whole minutes: hours and days converted, a comma or a point before decimals', () => {
    expect(toMinutes('4', 'hours', 1440)).toBe(240);
    expect(toMinutes('1,5', 'hours', 1440)).toBe(90);
    expect(toMinutes('1.5', 'days', 1440)).toBe(2160);
    expect(toMinutes('2', 'days', 480)).toBe(960);
    expect(toMinutes(' 45 ', 'minutes', 480)).toBe(45);
  });

  it('is refused when it makes no whole minutes, is not a number, or days cannot be said', () => {
    expect(toMinutes('0.01', 'hours', 1440)).toBeNull();
    expect(toMinutes('1.5', 'minutes', 1440)).toBeNull();
    expect([toMinutes('', 'hours', 1440), toMinutes('-1', 'hours', 1440), toMinutes('1e3', 'hours', 1440), toMinutes('two', 'days', 1440)]).toEqual([null, null, null, null]);
    expect(toMinutes('1', 'days', null)).toBeNull();
  });

  it('hands its form whole minutes, nothing when empty, or what no check of minutes takes', () => {
    expect(encodeTarget('2', 'days', 480)).toBe('960');
    expect(encodeTarget('  ', 'hours', 480)).toBe('');
    expect(encodeTarget('0.01', 'hours', 480)).toBe('0.01 hours');
  });
});

describe('a target shown', () => {
  it('is in the largest unit it is whole in, so minutes that are not whole hours stay minutes', () => {
    expect(targetInput(2880, 1440)).toEqual({ amount: '2', unit: 'days' });
    expect(targetInput(960, 480)).toEqual({ amount: '2', unit: 'days' });
    expect(targetInput(600, 480)).toEqual({ amount: '10', unit: 'hours' });
    expect(targetInput(90, 1440)).toEqual({ amount: '90', unit: 'minutes' });
    expect(targetInput(480, null)).toEqual({ amount: '8', unit: 'hours' });
    expect(bestUnit(0, 1440)).toBe('minutes');
  });

  it('reads in full, never rounded, in business time under a schedule', () => {
    setLocale('en');
    expect(exactDuration(3 * 1440 + 65)).toBe('3 days 1 hr 5 min');
    expect(exactDuration(90)).toBe('1 hr 30 min');
    expect(exactDuration(1560, false)).toBe('26 hr');
    expect(targetText(2880)).toBe('2 days');
    expect(targetText(960, 480)).toBe('2 business days (16 hr of business hours)');
    expect(targetText(480, 480)).toBe('1 business day (8 hr of business hours)');
    expect(targetText(630, 480)).toBe('10 hr 30 min of business hours');
    expect(targetText(15, null)).toBe('15 min of business hours');
    setLocale('fr');
    expect(targetText(960, 480)).toBe('2 jours ouvrés (16\u202fh d’heures ouvrées)');
    setLocale('en');
  });
});

describe('a business day', () => {
  it('is the working time of the typical working day: the total most working days share', () => {
    // 9:00 to 17:00 on weekdays: 8 hours.
    expect(businessDayMinutes(weekdays.map((d) => hours(d, '09:00', '17:00')))).toBe(480);
    // A lunch break makes two intervals; a short Friday does not change the typical day.
    const lunch = ['mon', 'tue', 'wed', 'thu'].flatMap((d) => [hours(d, '08:30', '12:00'), hours(d, '13:30', '18:00')]);
    expect(businessDayMinutes([...lunch, hours('fri', '09:00', '16:00')])).toBe(480);
    // Saturday mornings too: still 8 hours.
    expect(businessDayMinutes([...weekdays.map((d) => hours(d, '09:00', '17:00')), hours('sat', '09:00', '12:00')])).toBe(480);
  });

  it('is the longer on a tie, 24 hours for a schedule open all day, and none without hours', () => {
    expect(businessDayMinutes([hours('mon', '09:00', '18:00'), hours('tue', '09:00', '18:00'), hours('wed', '09:00', '13:00'), hours('thu', '09:00', '13:00')])).toBe(540);
    expect(businessDayMinutes(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => hours(d, '00:00', '24:00')))).toBe(1440);
    expect(businessDayMinutes([])).toBeNull();
  });

  it('is said in a sentence, in each language', () => {
    setLocale('en');
    expect(businessDayText('Paris office', 480)).toBe('8 business hours = 1 business day of Paris office');
    expect(businessDayText('Paris office', 450)).toBe('7.5 business hours = 1 business day of Paris office');
    expect(businessDayText('Night desk', 60)).toBe('1 business hour = 1 business day of Night desk');
    setLocale('fr');
    expect(businessDayText('Bureau de Paris', 480)).toBe('8 heures ouvrées = 1 jour ouvré de Bureau de Paris');
    expect(businessDayText('Bureau de Paris', 450)).toBe('7,5 heures ouvrées = 1 jour ouvré de Bureau de Paris');
    setLocale('en');
  });
});
