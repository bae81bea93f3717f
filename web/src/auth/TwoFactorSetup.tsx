/**
 * Turning 2FA on: confirm the password, scan the QR code (or type the secret), confirm with a
 * code, then keep the recovery codes shown once.
 */

import { useState } from 'preact/hooks';
import { enableTwoFactor, startTwoFactor } from '../data/account';
import type { TwoFactorSetup as Setup } from '../api/schemas';
import { t } from '../i18n';
import { TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert, Notice } from '../ui/status';
import { required, sixDigits } from '../ui/validate';
import { svgDataUrl } from './dataUrl';
import { RecoveryCodes } from './RecoveryCodes';

type Step = { kind: 'password' } | { kind: 'scan'; setup: Setup } | { kind: 'codes'; codes: string[] };

export function TwoFactorSetup({ onEnabled }: { onEnabled: () => void }) {
  const [step, setStep] = useState<Step>({ kind: 'password' });
  if (step.kind === 'codes') return <RecoveryCodes codes={step.codes} onDone={onEnabled} />;
  if (step.kind === 'scan') return <ScanStep setup={step.setup} onEnabled={(codes) => setStep({ kind: 'codes', codes })} onRestart={() => setStep({ kind: 'password' })} />;
  return (
    <>
      <p>{t('auth.2fa.off')}</p>
      <PasswordStep onSetup={(setup) => setStep({ kind: 'scan', setup })} />
    </>
  );
}

function PasswordStep({ onSetup }: { onSetup: (setup: Setup) => void }) {
  const form = useFields({ password: '' });
  const submission = useSubmit();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ password: [required] })) return;
    void submission.run(async () => onSetup(await startTwoFactor(form.values.password)));
  };

  return (
    <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
      <TextField label={t('auth.current_password')} name="password" type="password" autocomplete="current-password" value={form.values.password} onValue={form.set('password')} error={form.errors.password} required />
      <ErrorAlert error={submission.error} overrides={{ validation_failed: 'auth.2fa.wrong_password', conflict: 'auth.2fa.already_on' }} />
      <button type="submit" class="button" disabled={submission.busy}>
        {t('auth.2fa.start')}
      </button>
    </form>
  );
}

function ScanStep({ setup, onEnabled, onRestart }: { setup: Setup; onEnabled: (codes: string[]) => void; onRestart: () => void }) {
  const form = useFields({ code: '' });
  const submission = useSubmit();

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (!form.check({ code: [required, sixDigits] })) return;
    void submission.run(async () => {
      const answer = await enableTwoFactor(form.values.code.replace(/\s/g, ''));
      onEnabled(answer.recovery_codes);
    });
  };

  return (
    <>
      <ol class="steps">
        <li>{t('auth.2fa.scan')}</li>
        <li>{t('auth.2fa.enter_code')}</li>
      </ol>
      <div class="qr">
        <img src={svgDataUrl(setup.qr_svg)} alt={t('auth.2fa.qr_alt')} width={200} height={200} />
      </div>
      <p>{t('auth.2fa.secret_label')}</p>
      <p>
        <code class="secret" aria-label={t('auth.2fa.secret_aria')}>
          {setup.secret}
        </code>
      </p>
      <form ref={form.ref} class="form" onSubmit={onSubmit} noValidate>
        <TextField label={t('auth.2fa.code')} name="code" autocomplete="one-time-code" inputMode="numeric" maxLength={7} value={form.values.code} onValue={form.set('code')} error={form.errors.code} required />
        <ErrorAlert error={submission.error} overrides={{ validation_failed: 'auth.mfa.invalid', conflict: 'auth.2fa.setup_expired' }} />
        <div class="actions">
          <button type="submit" class="button" disabled={submission.busy}>
            {t('auth.2fa.enable')}
          </button>
          <button type="button" class="button button--link" onClick={onRestart}>
            {t('auth.mfa.start_over')}
          </button>
        </div>
      </form>
      {submission.busy ? <Notice>{t('common.working')}</Notice> : null}
    </>
  );
}
