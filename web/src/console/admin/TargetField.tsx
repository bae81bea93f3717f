/**
 * An SLA target or a delay typed as an amount and its unit (minutes, hours, days, or business
 * hours and business days under a schedule), the form holding whole minutes; what it makes is
 * said as it is typed ("That is 2 business days (16 hr of business hours)."); its error beside
 * it. A value loaded is shown in the largest unit it is whole in, so 90 minutes stay 90 minutes.
 */

import { useEffect, useState } from 'preact/hooks';
import { t, type MessageKey } from '../../i18n';
import { FormRow } from '../../ui/Field';
import { TARGET_UNITS, encodeTarget, targetInput, targetText, type TargetUnit } from '../targets';
import { minutes } from './policy';

const UNIT_LABEL: Record<TargetUnit, MessageKey> = { minutes: 'targets.unit.minutes', hours: 'targets.unit.hours', days: 'targets.unit.days' };
const BUSINESS_UNIT_LABEL: Record<TargetUnit, MessageKey> = { minutes: 'targets.unit.minutes', hours: 'targets.unit.business_hours', days: 'targets.unit.business_days' };

function fromValue(value: string, day: number | null): { amount: string; unit: TargetUnit } {
  return /^\d+$/.test(value) ? targetInput(Number(value), day) : { amount: '', unit: 'hours' };
}

/**
 * `value`: whole minutes as text (`''` when empty). `day`: the minutes of a day in this field
 * (24 hours, or the schedule's business day; `null`: the schedule has no working hours, and
 * days are not offered). `business`: counted in a schedule's business hours. `optional`: may be
 * left empty (none), which the hint says.
 */
export function TargetField({
  label,
  name,
  value,
  error,
  optional,
  day,
  business,
  onValue,
}: {
  label: string;
  name: string;
  value: string;
  error: string | undefined;
  optional?: boolean;
  day: number | null;
  business: boolean;
  onValue: (value: string) => void;
}) {
  const [typed, setTyped] = useState(() => fromValue(value, day));
  // A value set from outside (the form reset to what was saved, another schedule's day) is shown
  // anew; what is being typed stays as typed.
  useEffect(() => {
    if (encodeTarget(typed.amount, typed.unit, day) !== value) setTyped(fromValue(value, day));
  }, [value, day]);
  const change = (next: { amount: string; unit: TargetUnit }) => {
    setTyped(next);
    onValue(encodeTarget(next.amount, next.unit, day));
  };
  const n = minutes(encodeTarget(typed.amount, typed.unit, day));
  const hint =
    n !== null
      ? t('console.policy.reads', { duration: targetText(n, business ? day : undefined) })
      : optional && !typed.amount.trim()
        ? t('policies.form.optional_minutes')
        : t('console.policy.range');
  const units = TARGET_UNITS.filter((u) => u !== 'days' || day !== null || typed.unit === 'days');
  const labels = business ? BUSINESS_UNIT_LABEL : UNIT_LABEL;
  return (
    <FormRow class="target-field" label={label} hint={hint} error={error}>
      {(control) => (
        <div class="target-inputs">
          <input
            {...control}
            name={name}
            type="text"
            inputMode="decimal"
            autocomplete="off"
            value={typed.amount}
            onInput={(e) => change({ amount: e.currentTarget.value, unit: typed.unit })}
          />
          <select name={`${name}.unit`} aria-label={t('targets.unit_of', { label })} value={typed.unit} onChange={(e) => change({ amount: typed.amount, unit: e.currentTarget.value as TargetUnit })}>
            {units.map((u) => (
              <option key={u} value={u}>
                {t(labels[u])}
              </option>
            ))}
          </select>
        </div>
      )}
    </FormRow>
  );
}
