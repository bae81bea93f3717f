/**
 * Business hours schedules: the weekly hours an organisation works in a time zone, and the days
 * it is closed (holidays, typed in or imported from an iCalendar file). Staff read them (the SLA
 * policies' settings and a ticket's service targets name them, each view loading its own copy);
 * owners and admins make, change and delete them, on the console's settings page. A schedule an
 * SLA policy uses cannot be deleted (`schedule_in_use`).
 */

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export type Schedule = ResponseBody<'GET', '/v1/schedules'>[number];
export type NewSchedule = JsonBody<'POST', '/v1/schedules'>;
export type ScheduleChange = JsonBody<'PATCH', '/v1/schedules/{id}'>;
export type Interval = Schedule['intervals'][number];
export type Weekday = Interval['day'];
export type Holiday = Schedule['holidays'][number];
export type ImportedHolidays = ResponseBody<'POST', '/v1/schedules/{id}/holidays/import'>;
/** An event of an imported calendar that did not become a holiday, and why. */
export type SkippedHoliday = ImportedHolidays['skipped'][number];

/** The organisation's schedules, by name (there are at most 20). */
export function listSchedules(signal?: AbortSignal): Promise<Schedule[]> {
  return api('GET', '/v1/schedules', { signal });
}

export function createSchedule(schedule: NewSchedule): Promise<Schedule> {
  return api('POST', '/v1/schedules', { body: schedule });
}

/** Each part optional; `intervals` and `holidays` are the whole lists. */
export function changeSchedule(id: string, change: ScheduleChange): Promise<Schedule> {
  return api('PATCH', '/v1/schedules/{id}', { path: { id }, body: change });
}

export async function removeSchedule(id: string): Promise<void> {
  await api('DELETE', '/v1/schedules/{id}', { path: { id } });
}

/** Adds the whole-day events of an iCalendar file (at most 1 MiB) as holidays; the dates the
 * schedule has already stay as they are. */
export function importHolidays(id: string, calendar: string | Blob): Promise<ImportedHolidays> {
  return api('POST', '/v1/schedules/{id}/holidays/import', { path: { id }, raw: { type: 'text/calendar', content: calendar } });
}
