//! The SLA policy editor: response and resolution targets per priority and the two auto-close
//! delays, in minutes, each shown as a readable duration; errors beside their fields.

import { useId, useState } from 'preact/hooks';
import { getSlaPolicy, saveSlaPolicy } from '../../data/sla';
import { useResource } from '../../data/resource';
import { ApiProblem } from '../../api/problem';
import { t } from '../../i18n';
import { translated, useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';
import { FieldError } from '../../ui/Field';
import { duration } from '../format';
import { MAX_MINUTES, POLICY_PRIORITIES, checkPolicy, minutes, serverErrors, toValues, type PolicyField, type PolicyValues } from './policy';

export function SlaPolicyForm() {
  const loaded = useResource('sla-policy', getSlaPolicy);
  return (
    <div class="panel">
      <Loaded resource={loaded}>{(policy) => <PolicyForm initial={toValues(policy)} />}</Loaded>
    </div>
  );
}

function PolicyForm({ initial }: { initial: PolicyValues }) {
  const form = useFields(initial);
  const { values, errors } = form;
  const [saved, setSaved] = useState(false);
  const submission = useSubmit();

  const set = (field: PolicyField) => (value: string) => {
    form.set(field)(value);
    setSaved(false);
  };
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
      } catch (error) {
        if (error instanceof ApiProblem && error.errors.length) form.show(translated(serverErrors(error.errors)));
        throw error;
      }
    });
  };

  return (
    <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
      {POLICY_PRIORITIES.map((p) => (
        <fieldset key={p} class="policy-row">
          <legend>{t('console.policy.priority', { priority: t(`priority.${p}`) })}</legend>
          <div class="field-row">
            <MinutesField label={t('console.policy.response')} field={`targets.${p}.response_minutes`} values={values} errors={errors} onValue={set(`targets.${p}.response_minutes`)} />
            <MinutesField label={t('console.policy.resolution')} field={`targets.${p}.resolution_minutes`} values={values} errors={errors} onValue={set(`targets.${p}.resolution_minutes`)} />
          </div>
        </fieldset>
      ))}
      <fieldset class="policy-row">
        <legend>{t('console.policy.auto_close')}</legend>
        <div class="field-row">
          <MinutesField label={t('console.policy.waiting')} field="auto_close.waiting_customer_minutes" values={values} errors={errors} onValue={set('auto_close.waiting_customer_minutes')} />
          <MinutesField label={t('console.policy.resolved')} field="auto_close.resolved_minutes" values={values} errors={errors} onValue={set('auto_close.resolved_minutes')} />
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

function MinutesField({ label, field, values, errors, onValue }: { label: string; field: PolicyField; values: PolicyValues; errors: Partial<Record<PolicyField, string>>; onValue: (v: string) => void }) {
  const id = useId();
  const value = values[field];
  const n = minutes(value);
  const error = errors[field];
  return (
    <div class={error ? 'field field--invalid' : 'field'}>
      <label for={id}>{label}</label>
      <p class="field-hint" id={`${id}-hint`}>
        {n !== null ? t('console.policy.reads', { duration: duration(n) }) : t('console.policy.range')}
      </p>
      <input
        id={id}
        name={field}
        type="number"
        inputMode="numeric"
        min={1}
        max={MAX_MINUTES}
        step={1}
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
        onInput={(e) => onValue(e.currentTarget.value)}
      />
      <FieldError id={id} error={error} />
    </div>
  );
}
