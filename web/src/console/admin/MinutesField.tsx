//! A number of minutes typed (a target, a delay), the duration it makes shown as it is typed
//! ("That is 1 h 30 min."); its error beside it.

import { useId } from 'preact/hooks';
import { t } from '../../i18n';
import { FieldError } from '../../ui/Field';
import { duration } from '../format';
import { MAX_MINUTES, minutes } from './policy';

/** `optional`: may be left empty (none), which the hint says. */
export function MinutesField({ label, name, value, error, optional, onValue }: { label: string; name: string; value: string; error: string | undefined; optional?: boolean; onValue: (value: string) => void }) {
  const id = useId();
  const n = minutes(value);
  const hint = n !== null ? t('console.policy.reads', { duration: duration(n) }) : optional && !value.trim() ? t('policies.form.optional_minutes') : t('console.policy.range');
  return (
    <div class={error ? 'field field--invalid' : 'field'}>
      <label for={id}>{label}</label>
      <p class="field-hint" id={`${id}-hint`}>
        {hint}
      </p>
      <input
        id={id}
        name={name}
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
