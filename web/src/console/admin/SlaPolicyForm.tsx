//! The default SLA policy's editor: response and resolution targets per priority and the two
//! auto-close delays, in minutes, each shown as a readable duration; errors beside their fields.

import { useState } from 'preact/hooks';
import { saveSlaPolicy, type SlaPolicy } from '../../data/sla';
import type { Resource } from '../../data/resource';
import { ApiProblem } from '../../api/problem';
import { t } from '../../i18n';
import { translated, useFields } from '../../ui/form';
import { useSubmit } from '../../ui/hooks';
import { ErrorAlert, Loaded, Notice } from '../../ui/status';
import { MinutesField } from './MinutesField';
import { POLICY_PRIORITIES, checkPolicy, serverErrors, toValues, type PolicyField, type PolicyValues } from './policy';

/** `policy`: the default policy as loaded; what is saved here becomes its data. */
export function SlaPolicyForm({ policy }: { policy: Resource<SlaPolicy> }) {
  return <Loaded resource={policy}>{(loaded) => <PolicyForm initial={toValues(loaded)} onSaved={(stored) => policy.setData(() => stored)} />}</Loaded>;
}

function PolicyForm({ initial, onSaved }: { initial: PolicyValues; onSaved: (policy: SlaPolicy) => void }) {
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
        onSaved(stored);
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
            <PolicyMinutes label={t('console.policy.response')} field={`targets.${p}.response_minutes`} values={values} errors={errors} onValue={set(`targets.${p}.response_minutes`)} />
            <PolicyMinutes label={t('console.policy.resolution')} field={`targets.${p}.resolution_minutes`} values={values} errors={errors} onValue={set(`targets.${p}.resolution_minutes`)} />
          </div>
        </fieldset>
      ))}
      <fieldset class="policy-row">
        <legend>{t('console.policy.auto_close')}</legend>
        <div class="field-row">
          <PolicyMinutes label={t('console.policy.waiting')} field="auto_close.waiting_customer_minutes" values={values} errors={errors} onValue={set('auto_close.waiting_customer_minutes')} />
          <PolicyMinutes label={t('console.policy.resolved')} field="auto_close.resolved_minutes" values={values} errors={errors} onValue={set('auto_close.resolved_minutes')} />
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

function PolicyMinutes({ label, field, values, errors, onValue }: { label: string; field: PolicyField; values: PolicyValues; errors: Partial<Record<PolicyField, string>>; onValue: (v: string) => void }) {
  return <MinutesField label={label} name={field} value={values[field]} error={errors[field]} onValue={onValue} />;
}
