/** Turning 2FA off: the current password and a current code (or a recovery code). */

import { useState } from 'preact/hooks';
import { disableTwoFactor } from '../data/account';
import { t } from '../i18n';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert, Notice } from '../ui/status';
import { required, sixDigits } from '../ui/validate';

export function TwoFactorDisable({ onDisabled }: { onDisabled: () => void }) {
  const form = useFields({ password: '', code: '' });
  const [mode, setMode] = useState<'code' | 'recovery'>('code');
  const submission = useSubmit();
  const { values, errors } = form;

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ password: [required], code: mode === 'code' ? [required, sixDigits] : [required] })) return;
    const factor = mode === 'code' ? { code: values.code.replace(/\s/g, '') } : { recovery_code: values.code.trim() };
    void submission.run(async () => {
      await disableTwoFactor({ password: values.password, ...factor });
      onDisabled();
    });
  };

  return (
    <>
      <Notice tone="success">{t('auth.2fa.on')}</Notice>
      <h2>{t('auth.2fa.disable_title')}</h2>
      <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
        <TextField label={t('auth.current_password')} name="password" type="password" autocomplete="current-password" value={values.password} onValue={form.set('password')} error={errors.password} required />
        <TextField
          key={mode}
          label={mode === 'code' ? t('auth.mfa.code') : t('auth.mfa.recovery_code')}
          name={mode === 'code' ? 'code' : 'recovery_code'}
          autocomplete={mode === 'code' ? 'one-time-code' : 'off'}
          inputMode={mode === 'code' ? 'numeric' : 'text'}
          value={values.code}
          onValue={form.set('code')}
          error={errors.code}
          required
        />
        <ErrorAlert error={submission.error} overrides={{ validation_failed: 'auth.2fa.disable_invalid', mfa_required: 'auth.2fa.required_by_org' }} />
        <div class="actions">
          <button type="submit" class="button button--danger" disabled={submission.busy}>
            {t('auth.2fa.disable')}
          </button>
          <button
            type="button"
            class="button button--link"
            onClick={() => {
              setMode(mode === 'code' ? 'recovery' : 'code');
              form.set('code')('');
            }}
          >
            {mode === 'code' ? t('auth.mfa.use_recovery') : t('auth.mfa.use_code')}
          </button>
        </div>
      </form>
    </>
  );
}
