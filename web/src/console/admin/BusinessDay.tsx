/**
 * The business hours an SLA policy's targets count, as its forms offer them (24/7, or one of
 * the organisation's schedules), and what a day of its targets is: 24 hours around the clock, a
 * business day of the schedule chosen otherwise ("8 business hours = 1 business day of Paris
 * office"), said under the choice as it changes.
 */

import type { Schedule } from '../../data/schedules';
import { t } from '../../i18n';
import { CLOCK_DAY, businessDayMinutes, businessDayText } from '../targets';

/** The choices: 24/7 first (`''`), then the schedules by name; a schedule chosen that the
 * organisation no longer has stays listed, to be changed. */
export function scheduleOptions(chosen: string, schedules: Schedule[] | undefined): { value: string; label: string }[] {
  const options = [{ value: '', label: t('policies.around_the_clock') }, ...(schedules ?? []).map((s) => ({ value: s.id, label: s.name }))];
  if (chosen && !options.some((o) => o.value === chosen)) options.push({ value: chosen, label: schedules ? t('policies.schedule_unknown') : t('common.loading') });
  return options;
}

/** The minutes of a day of the targets: 24 hours for 24/7, the schedule's business day (`null`
 * when it has no working hours, or is not known). */
export function scheduleDay(scheduleId: string, schedules: Schedule[] | undefined): number | null {
  if (!scheduleId) return CLOCK_DAY;
  const schedule = schedules?.find((s) => s.id === scheduleId);
  return schedule ? businessDayMinutes(schedule.intervals) : null;
}

export function BusinessDay({ scheduleId, schedules }: { scheduleId: string; schedules: Schedule[] | undefined }) {
  const schedule = scheduleId ? schedules?.find((s) => s.id === scheduleId) : undefined;
  if (scheduleId && !schedule) return null;
  return (
    <p class="field-hint business-day" aria-live="polite">
      {schedule ? businessDayText(schedule.name, businessDayMinutes(schedule.intervals)) : t('targets.clock_day')}
    </p>
  );
}
