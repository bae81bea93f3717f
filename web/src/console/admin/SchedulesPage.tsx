/**
 * The organisation's business hours (owners and admins): a form to add a schedule, and the list
 * by name (each schedule's time zone, its week in short, its holidays and the next ones), each
 * schedule changed in place or deleted after a confirmation in place, and its holidays imported
 * from an iCalendar file (`.ics`), the count of what was added said at once. A schedule an SLA
 * policy counts its targets in is not deleted: the refusal is said in its row, with the way to
 * the policies.
 */

import { useId, useState } from 'preact/hooks';
import { ApiProblem } from '../../api/problem';
import { changeSchedule, createSchedule, importHolidays, listSchedules, removeSchedule, type Schedule, type SkippedHoliday } from '../../data/schedules';
import { useResource } from '../../data/resource';
import { formatDate, t, tn, type MessageKey } from '../../i18n';
import { Link } from '../../router/router';
import { useMember } from '../../tenant/member';
import { useSubmit } from '../../ui/hooks';
import { RowActions, useRowModes } from '../../ui/RowActions';
import { Page } from '../../ui/Page';
import { FormRow } from '../../ui/Field';
import { ErrorAlert } from '../../ui/status';
import { DAY_SHORT, emptySchedule, localToday, nextHolidays, scheduleChange, scheduleFormValues, weekSummary } from '../schedules';
import { ScheduleForm } from './ScheduleForm';
import { Panel } from '../../ui/Panel';
import { ListPanel, useCreations } from '../../ui/ListPanel';

export function SchedulesPage() {
  const { slug } = useMember();
  const schedules = useResource(`schedules:${slug}`, listSchedules);
  const { notice, setNotice, round, created } = useCreations();
  const changed = (text: string) => {
    setNotice(text);
    // Read again, what is shown staying meanwhile (a row being worked on keeps its focus).
    void schedules.refresh();
  };
  return (
    <Page title={t('schedules.title')}>
      <p class="lead">{t('schedules.lead')}</p>
      <Panel title={t('schedules.new')}>
        <ScheduleForm
          key={round}
          initial={emptySchedule()}
          submitLabel={t('schedules.form.create')}
          onSave={async (request) => {
            const made = await createSchedule(request);
            created(t('schedules.created', { name: made.name }));
            void schedules.refresh();
          }}
        />
      </Panel>
      <ListPanel title={t('schedules.list')} notice={notice} resource={schedules} empty={t('schedules.empty')} count={(n) => tn('schedules.count', n)}>
        {(list) =>
          list.map((schedule) => (
            <ScheduleRow key={schedule.id} schedule={schedule} onChanged={changed} />
          ))
        }
      </ListPanel>
    </Page>
  );
}

/** The week in short: "Mon–Fri 09:00–12:00, 14:00–18:00; Sat 10:00–12:00". */
function weekText(schedule: Schedule): string {
  const runs = weekSummary(schedule.intervals);
  if (!runs.length) return t('schedules.fact.closed_all_week');
  return runs
    .map((run) =>
      run.from === run.to
        ? t('schedules.run.one', { day: t(DAY_SHORT[run.from]), hours: run.hours })
        : t('schedules.run.many', { from: t(DAY_SHORT[run.from]), to: t(DAY_SHORT[run.to]), hours: run.hours }),
    )
    .join(t('schedules.run.join'));
}

/** The refusal to delete a schedule an SLA policy uses. */
const inUse = (error: unknown) => error instanceof ApiProblem && error.code === 'schedule_in_use';

/** A holiday's date on its own day, whatever the browser's time zone. */
const holidayDate = (date: string) => formatDate(`${date}T12:00:00`);

function ScheduleRow({ schedule, onChanged }: { schedule: Schedule; onChanged: (notice: string) => void }) {
  const modes = useRowModes('input[name="name"]');
  const submission = useSubmit();
  const importing = useSubmit();
  const [file, setFile] = useState('');
  const id = useId();
  const name = schedule.name;
  const remove = () =>
    void submission.run(async () => {
      try {
        await removeSchedule(schedule.id);
      } catch (error) {
        // The question is answered: the row goes back to its buttons, the refusal said below.
        if (inUse(error)) modes.keep();
        throw error;
      }
      modes.deleted();
      onChanged(t('schedules.deleted', { name }));
    });
  const upload = (input: HTMLInputElement) => {
    const chosen = input.files?.[0];
    if (!chosen) return;
    setFile(chosen.name);
    void importing.run(async () => {
      try {
        const done = await importHolidays(schedule.id, await chosen.text());
        const summary = t('schedules.import.done', { added: tn('schedules.import.added', done.imported), skipped: tn('schedules.import.skipped', done.skipped.length), name });
        onChanged([summary, ...done.skipped.map(skippedText)].join(' '));
      } finally {
        // The same file may be chosen again.
        input.value = '';
        setFile('');
      }
    });
  };
  const coming = nextHolidays(schedule.holidays, localToday());
  return (
    <li class="integration schedule" aria-labelledby={id} ref={modes.row}>
      <div class="integration-head">
        <strong id={id}>{name}</strong>
        <span class="badge">{schedule.time_zone}</span>
      </div>
      {modes.editing ? (
        <ScheduleForm
          initial={scheduleFormValues(schedule)}
          submitLabel={t('schedules.form.save')}
          onCancel={modes.shown}
          onSave={async (request) => {
            const change = scheduleChange(schedule, request);
            const any = Object.keys(change).length > 0;
            const saved = any ? await changeSchedule(schedule.id, change) : schedule;
            modes.shown();
            onChanged(any ? t('schedules.saved', { name: saved.name }) : t('schedules.form.unchanged'));
          }}
        />
      ) : (
        <>
          <dl class="facts">
            <div>
              <dt>{t('schedules.fact.zone')}</dt>
              <dd>{schedule.time_zone}</dd>
            </div>
            <div>
              <dt>{t('schedules.fact.hours')}</dt>
              <dd class="schedule-week-summary">{weekText(schedule)}</dd>
            </div>
            <div>
              <dt>{t('schedules.fact.holidays')}</dt>
              <dd>
                {tn('schedules.holidays.count', schedule.holidays.length)}
                <span class="fact-detail">
                  {coming.length
                    ? t('schedules.fact.next', { holidays: coming.map((h) => t('schedules.holiday_on', { name: h.name, date: holidayDate(h.date) })).join(', ') })
                    : t('schedules.fact.next_none')}
                </span>
              </dd>
            </div>
          </dl>
          <FormRow id={`${id}-import`} class="schedule-import" label={t('schedules.import.label')} hint={t('schedules.import.hint')}>
            {(control) => (
              <>
                <input {...control} type="file" name="calendar" accept=".ics,text/calendar" onChange={(e) => upload(e.currentTarget)} />
                {importing.busy ? (
                  <p class="hint" role="status">
                    {t('schedules.import.working', { file })}
                  </p>
                ) : null}
                <ErrorAlert error={importing.error} overrides={{ validation_failed: 'schedules.import.invalid', payload_too_large: 'schedules.import.too_large', limit_reached: 'schedules.import.limit' }} />
              </>
            )}
          </FormRow>
          <RowActions
            modes={modes}
            busy={submission.busy}
            onDelete={remove}
            labels={{
              edit: t('schedules.edit'),
              editNamed: t('schedules.edit_named', { name: name }),
              delete: t('schedules.delete'),
              deleteNamed: t('schedules.delete_named', { name: name }),
              confirm: t('schedules.delete_confirm', { name: name }),
              yes: t('schedules.delete_yes', { name: name }),
              cancel: t('schedules.form.cancel'),
            }}
          />
        </>
      )}
      {inUse(submission.error) ? (
        <div class="alert alert--error" role="alert">
          <p>
            {t('schedules.in_use', { name })} <Link href="/admin/sla">{t('schedules.in_use_link')}</Link>
          </p>
        </div>
      ) : (
        <ErrorAlert error={submission.error} />
      )}
    </li>
  );
}

/** Why an event of an imported calendar did not become a holiday, in words. */
const SKIP_REASON: Record<SkippedHoliday['reason'], MessageKey> = {
  time_of_day: 'schedules.import.reason.time_of_day',
  not_yearly: 'schedules.import.reason.not_yearly',
  past: 'schedules.import.reason.past',
  too_far: 'schedules.import.reason.too_far',
};

/** One event of an imported calendar that did not become a holiday, and why. */
function skippedText(skipped: SkippedHoliday): string {
  const reason = t(SKIP_REASON[skipped.reason]);
  return skipped.date
    ? t('schedules.import.skipped_event', { summary: skipped.summary, date: holidayDate(skipped.date), reason })
    : t('schedules.import.skipped_event_undated', { summary: skipped.summary, reason });
}
