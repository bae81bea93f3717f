/**
 * The default SLA policy's editor: the business hours its targets count (a schedule, or 24/7)
 * and what a business day of that schedule is, response and resolution targets per priority
 * and the two auto-close delays (wall-clock time), each typed in minutes, hours or days and
 * shown as a readable duration; errors beside their fields.
 */

import { useState } from 'preact/hooks';
import { saveSlaPolicy, type SlaPolicy } from '../../data/sla';
import type { Schedule } from '../../data/schedules';
import type { Resource } from '../../data/resource';
import { ApiProblem } from '../../api/problem';
import { t } from '../../i18n';
import { SelectField } from '../../ui/Field';
import { translated, useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';
import { useSchedules } from '../useSchedules';
import { BusinessDay, scheduleDay, scheduleOptions } from './BusinessDay';
import { TargetField } from './TargetField';
import { CLOCK_DAY } from '../targets';
import { POLICY_PRIORITIES, checkPolicy, serverErrors, toValues, type PolicyField, type PolicyValues } from './policy';

/** `policy`: the default policy as loaded; what is saved here becomes its data. */
export function SlaPolicyForm({ policy }: { policy: Resource<SlaPolicy> }) {
  const schedules = useSchedules();
  // The schedules first: a target's days are its schedule's business days.
  return (
    <Loaded resource={policy}>
      {(loaded) => <Loaded resource={schedules}>{(list) => <PolicyForm initial={toValues(loaded)} schedules={list} onSaved={(stored) => policy.setData(() => stored)} />}</Loaded>}
    </Loaded>
  );
}

function PolicyForm({ initial, schedules, onSaved }: { initial: PolicyValues; schedules: Schedule[] | undefined; onSaved: (policy: SlaPolicy) => void }) {
  const [saved, setSaved] = useState(false);
  const form = useFields(initial, { onEdit: () => setSaved(false) });
  const { values, errors, set } = form;
  const submission = useSubmit();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const checked = checkPolicy(values);
    setSaved(false);
    const policy = checked.policy;
    if (!form.show(translated(checked.errors)) || !policy) return;
    void submission.run(async () => {
      try {
        const stored = await saveSlaPolicy(policy);
        form.setValues(toValues(stored));
        setSaved(true);
        onSaved(stored);
      } catch (error) {
        if (error instanceof ApiProblem && error.errors.length) form.show(translated(serverErrors(error.errors)));
        throw error;
      }
    });
  };

  const business = Boolean(values.schedule_id);
  const day = scheduleDay(values.schedule_id, schedules);
  const target = { day, business };
  const delay = { day: CLOCK_DAY, business: false };
  return (
    <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
      <SelectField
        label={t('policies.form.schedule')}
        {...form.field('schedule_id')}
        hint={t('policies.default.schedule_hint')}
        options={scheduleOptions(values.schedule_id, schedules)}
      />
      <BusinessDay scheduleId={values.schedule_id} schedules={schedules} />
      {POLICY_PRIORITIES.map((p) => (
        <fieldset key={p} class="policy-row">
          <legend>{t('console.policy.priority', { priority: t(`priority.${p}`) })}</legend>
          <div class="field-row">
            <PolicyTarget label={t('console.policy.response')} field={`targets.${p}.response_minutes`} values={values} errors={errors} onValue={set(`targets.${p}.response_minutes`)} {...target} />
            <PolicyTarget label={t('console.policy.resolution')} field={`targets.${p}.resolution_minutes`} values={values} errors={errors} onValue={set(`targets.${p}.resolution_minutes`)} {...target} />
          </div>
        </fieldset>
      ))}
      <fieldset class="policy-row">
        <legend>{t('console.policy.auto_close')}</legend>
        <div class="field-row">
          <PolicyTarget label={t('console.policy.waiting')} field="auto_close.waiting_customer_minutes" values={values} errors={errors} onValue={set('auto_close.waiting_customer_minutes')} {...delay} />
          <PolicyTarget label={t('console.policy.resolved')} field="auto_close.resolved_minutes" values={values} errors={errors} onValue={set('auto_close.resolved_minutes')} {...delay} />
        </div>
      </fieldset>
      <ErrorAlert error={submission.error} overrides={{ validation_failed: 'error.check_fields' }} />
      {saved ? <Notice tone="success">{t('console.policy.saved')}</Notice> : null}
      <button type="submit" class="button" disabled={submission.busy}>
        {submission.busy ? t('common.working') : t('console.policy.submit')}
      </button>
    </form>
  );
}

function PolicyTarget({
  label,
  field,
  values,
  errors,
  day,
  business,
  onValue,
}: {
  label: string;
  field: PolicyField;
  values: PolicyValues;
  errors: Partial<Record<PolicyField, string>>;
  day: number | null;
  business: boolean;
  onValue: (v: string) => void;
}) {
  return <TargetField label={label} name={field} value={values[field]} error={errors[field]} day={day} business={business} onValue={onValue} />;
}
