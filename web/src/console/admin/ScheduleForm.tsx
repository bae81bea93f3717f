/**
 * A business hours schedule's form, to make one or change one: its name, its time zone (typed,
 * with the zones the browser knows suggested), the week (each weekday, Monday first, its opening
 * hours as rows of two times, added and removed with buttons, or Monday to Friday 9:00–17:00 at
 * once), and the holidays (a date and a name each). Checked here first (`../schedules.ts`); the
 * server's refusals are shown beside their inputs (an unknown zone beside the zone, a refused
 * interval beside its row), a name already taken beside the name, the rest as an alert.
 */

import { useId } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import type { NewSchedule, Weekday } from '../../data/schedules';
import { t } from '../../i18n';
import { FieldGroup, TextField } from '../../ui/Field';
import { refusedFields, translated, useFields } from '../../ui/form';
import { FormEnd } from '../../ui/FormEnd';
import { useFocusAfterRender, useSubmit } from '../../ui/hooks';
import {
  DAY_NAME,
  NAME_MAX,
  WEEKDAYS,
  checkScheduleForm,
  holidayError,
  holidayRow,
  hoursError,
  hoursRow,
  scheduleErrorOf,
  weekdaysNineToFive,
  type HolidayRow,
  type HoursRow,
  type ScheduleFormError,
  type ScheduleFormValues,
} from '../schedules';
import { TimeZoneField } from './TimeZoneField';

type Errors = Partial<Record<ScheduleFormError, string>>;

export function ScheduleForm({
  initial,
  submitLabel,
  onSave,
  onCancel,
}: {
  initial: ScheduleFormValues;
  submitLabel: string;
  /** Sends the request; a refusal is thrown back (an `ApiProblem`). */
  onSave: (request: NewSchedule) => Promise<void>;
  onCancel?: () => void;
}) {
  const form = useFields<ScheduleFormValues, ScheduleFormError>(initial, { editAnswersForm: true });
  const { values, errors } = form;
  const submission = useSubmit();
  const id = useId();
  // Where focus goes once the rows have changed shape (the button that had it may be gone).
  const { focusAfter } = useFocusAfterRender(form.ref);

  const { change } = form;
  const setDay = (day: Weekday, rows: HoursRow[], cleared: ScheduleFormError[], prefix?: string) =>
    change({ week: { ...values.week, [day]: rows } }, ['week', ...cleared], prefix);
  const setHours = (day: Weekday, index: number, part: 'start' | 'end', text: string) =>
    setDay(
      day,
      values.week[day].map((row, i) => (i === index ? { ...row, [part]: text } : row)),
      // An overlap is flagged on a start, but the end of the same row may be what answers it.
      [hoursError(day, index, 'start'), hoursError(day, index, 'end')],
    );
  const addHours = (day: Weekday) => {
    const row = hoursRow();
    focusAfter(`[data-hours="${row.id}"] input`);
    setDay(day, [...values.week[day], row], []);
  };
  const removeHours = (day: Weekday, index: number) => {
    const rows = values.week[day];
    const next = rows[index + 1] ?? rows[index - 1];
    focusAfter(next ? `[data-hours="${next.id}"] button` : `[data-add-hours="${day}"]`);
    setDay(
      day,
      rows.filter((_, i) => i !== index),
      [],
      `hours.${day}.`,
    );
  };
  const preset = () => change({ week: weekdaysNineToFive() }, ['week'], 'hours.');
  const setHoliday = (index: number, part: 'date' | 'name', text: string) =>
    change({ holidays: values.holidays.map((row, i) => (i === index ? { ...row, [part]: text } : row)) }, [holidayError(index, part), 'holidays']);
  const addHoliday = () => {
    const row = holidayRow();
    focusAfter(`[data-holiday="${row.id}"] input`);
    change({ holidays: [...values.holidays, row] }, ['holidays']);
  };
  const removeHoliday = (index: number) => {
    const next = values.holidays[index + 1] ?? values.holidays[index - 1];
    focusAfter(next ? `[data-holiday="${next.id}"] button` : '[data-action="add-holiday"]');
    change({ holidays: values.holidays.filter((_, i) => i !== index) }, ['holidays'], 'holiday.');
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const { errors: found, request, sources } = checkScheduleForm(values);
    form.submit(submission, {
      found: translated(found),
      request,
      send: onSave,
      refused: (error): Errors => {
        if (error instanceof ApiProblem && error.code === 'schedule_name_taken') return { name: t('schedules.form.name_taken') };
        if (error instanceof ApiProblem && error.code === 'validation_failed') return refusedFields(error, (field) => scheduleErrorOf(field, sources));
        return {};
      },
    });
  };

  return (
    <form ref={form.ref} class="form schedule-form" onSubmit={onSubmit} noValidate>
      <div class="field-row">
        <TextField
          label={t('schedules.form.name')}
          {...form.field('name')}
          autocomplete="off"
          maxLength={NAME_MAX}
          required
        />
        <TimeZoneField label={t('schedules.form.zone')} hint={t('schedules.form.zone_hint')} {...form.field('timeZone', 'time_zone')} />
      </div>
      <FieldGroup id={`${id}-week`} class="schedule-week" legend={t('schedules.form.week')} hint={t('schedules.form.week_hint')} error={errors.week}>
        <div class="actions">
          <button type="button" class="button button--secondary button--small" data-action="preset" onClick={preset}>
            {t('schedules.form.preset')}
          </button>
        </div>
        {WEEKDAYS.map((day) => (
          <DayInputs
            key={day}
            day={day}
            rows={values.week[day]}
            errors={errors}
            onText={(index, part, text) => setHours(day, index, part, text)}
            onAdd={() => addHours(day)}
            onRemove={(index) => removeHours(day, index)}
          />
        ))}
      </FieldGroup>
      <FieldGroup
        id={`${id}-holidays`}
        class="schedule-holidays"
        legend={t('schedules.form.holidays')}
        hint={t('schedules.form.holidays_hint')}
        error={errors.holidays}
        add={{ label: t('schedules.form.holiday_add'), action: 'add-holiday', onAdd: addHoliday }}
      >
        {values.holidays.length ? (
          <div class="field-option-list">
            {values.holidays.map((row, index) => (
              <HolidayInputs key={row.id} row={row} index={index} errors={errors} onText={(part, text) => setHoliday(index, part, text)} onRemove={() => removeHoliday(index)} />
            ))}
          </div>
        ) : (
          <p class="hint">{t('schedules.form.holidays_none')}</p>
        )}
      </FieldGroup>
      <FormEnd
        formError={errors.form}
        submission={submission}
        overrides={{ limit_reached: 'schedules.form.limit' }}
        submitLabel={submitLabel}
        cancel={{ label: t('schedules.form.cancel'), onCancel }}
      />
    </form>
  );
}

/** One weekday: its hours, a row each (closed without any), and the button that adds a row. */
function DayInputs({
  day,
  rows,
  errors,
  onText,
  onAdd,
  onRemove,
}: {
  day: Weekday;
  rows: HoursRow[];
  errors: Errors;
  onText: (index: number, part: 'start' | 'end', text: string) => void;
  onAdd: () => void;
  onRemove: (index: number) => void;
}) {
  const name = t(DAY_NAME[day]);
  return (
    <fieldset class="schedule-day">
      <legend>{name}</legend>
      {rows.length ? (
        <div class="field-option-list">
          {rows.map((row, index) => {
            const n = index + 1;
            return (
              <div key={row.id} class="field-option" role="group" aria-label={t('schedules.form.hours', { day: name, n })} data-hours={row.id}>
                <TextField
                  label={t('schedules.form.opens', { day: name })}
                  name={`${day}[${index}].start`}
                  autocomplete="off"
                  inputMode="numeric"
                  placeholder="09:00"
                  size={6}
                  value={row.start}
                  error={errors[hoursError(day, index, 'start')]}
                  onValue={(v) => onText(index, 'start', v)}
                />
                <TextField
                  label={t('schedules.form.closes', { day: name })}
                  name={`${day}[${index}].end`}
                  autocomplete="off"
                  inputMode="numeric"
                  placeholder="17:00"
                  size={6}
                  value={row.end}
                  error={errors[hoursError(day, index, 'end')]}
                  onValue={(v) => onText(index, 'end', v)}
                />
                <button type="button" class="button button--secondary button--small" aria-label={t('schedules.form.hours_remove_named', { day: name, n })} onClick={() => onRemove(index)}>
                  {t('schedules.form.hours_remove')}
                </button>
              </div>
            );
          })}
        </div>
      ) : (
        <p class="hint">{t('schedules.form.closed')}</p>
      )}
      <button type="button" class="button button--secondary button--small" data-add-hours={day} aria-label={t('schedules.form.hours_add_on', { day: name })} onClick={onAdd}>
        {t('schedules.form.hours_add')}
      </button>
    </fieldset>
  );
}

/** One holiday's inputs, in a group named by its place in the list. */
function HolidayInputs({
  row,
  index,
  errors,
  onText,
  onRemove,
}: {
  row: HolidayRow;
  index: number;
  errors: Errors;
  onText: (part: 'date' | 'name', text: string) => void;
  onRemove: () => void;
}) {
  const n = index + 1;
  return (
    <div class="field-option schedule-holiday" role="group" aria-label={t('schedules.form.holiday', { n })} data-holiday={row.id}>
      <TextField label={t('schedules.form.holiday_date')} name={`holidays[${index}].date`} type="date" value={row.date} error={errors[holidayError(index, 'date')]} onValue={(v) => onText('date', v)} />
      <TextField
        label={t('schedules.form.holiday_name')}
        name={`holidays[${index}].name`}
        autocomplete="off"
        maxLength={NAME_MAX}
        value={row.name}
        error={errors[holidayError(index, 'name')]}
        onValue={(v) => onText('name', v)}
      />
      <button type="button" class="button button--secondary button--small" onClick={onRemove}>
        {t('schedules.form.holiday_remove', { n })}
      </button>
    </div>
  );
}
