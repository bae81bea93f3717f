/** The second step of a sign-in: a code from the authenticator app, or a recovery code. */

import { useState } from 'preact/hooks';
import { t } from '../i18n';
import type { SecondFactor } from '../session';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert } from '../ui/status';
import { required, sixDigits } from '../ui/validate';

export function MfaStep({ onVerify, onCancel }: { onVerify: (factor: SecondFactor) => Promise<void>; onCancel: () => void }) {
  const [mode, setMode] = useState<'code' | 'recovery'>('code');
  const form = useFields({ value: '' });
  const { value } = form.values;
  const submission = useSubmit();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ value: mode === 'code' ? [required, sixDigits] : [required] })) return;
    const factor: SecondFactor = mode === 'code' ? { code: value.replace(/\s/g, '') } : { recovery_code: value.trim() };
    void submission.run(() => onVerify(factor));
  };

  const switchMode = () => {
    setMode(mode === 'code' ? 'recovery' : 'code');
    form.setValues({ value: '' });
    form.setErrors({});
    submission.clear();
  };

  return (
    <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
      <p>{mode === 'code' ? t('auth.mfa.code_lead') : t('auth.mfa.recovery_lead')}</p>
      {mode === 'code' ? (
        <TextField key="code" label={t('auth.mfa.code')} name="code" autocomplete="one-time-code" inputMode="numeric" maxLength={7} value={value} onValue={form.set('value')} error={form.errors.value} required autoFocus />
      ) : (
        <TextField key="recovery" label={t('auth.mfa.recovery_code')} name="recovery_code" autocomplete="off" autocapitalize="none" spellcheck={false} value={value} onValue={form.set('value')} error={form.errors.value} required autoFocus />
      )}
      <ErrorAlert error={submission.error} overrides={{ unauthorized: 'auth.mfa.invalid', validation_failed: 'auth.mfa.invalid' }} />
      <div class="actions">
        <button type="submit" class="button" disabled={submission.busy}>
          {t('auth.mfa.submit')}
        </button>
        <button type="button" class="button button--link" onClick={switchMode}>
          {mode === 'code' ? t('auth.mfa.use_recovery') : t('auth.mfa.use_code')}
        </button>
        <button type="button" class="button button--link" onClick={onCancel}>
          {t('auth.mfa.start_over')}
        </button>
      </div>
    </form>
  );
}
