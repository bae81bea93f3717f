/**
 * A number of minutes typed (a target, a delay), the duration it makes shown as it is typed
 * ("That is 1 h 30 min."); its error beside it.
 */

import { t } from '../../i18n';
import { FormRow } from '../../ui/Field';
import { duration } from '../format';
import { MAX_MINUTES, minutes } from './policy';

/** `optional`: may be left empty (none), which the hint says. */
export function MinutesField({ label, name, value, error, optional, onValue }: { label: string; name: string; value: string; error: string | undefined; optional?: boolean; onValue: (value: string) => void }) {
  const n = minutes(value);
  const hint = n !== null ? t('console.policy.reads', { duration: duration(n) }) : optional && !value.trim() ? t('policies.form.optional_minutes') : t('console.policy.range');
  return (
    <FormRow label={label} hint={hint} error={error}>
      {(control) => <input {...control} name={name} type="number" inputMode="numeric" min={1} max={MAX_MINUTES} step={1} value={value} onInput={(e) => onValue(e.currentTarget.value)} />}
    </FormRow>
  );
}
