//! Turning 2FA on: confirm the password, scan the QR code (or type the secret), confirm with a
//! code, then keep the recovery codes shown once.

import { useRef, useState } from 'preact/hooks';
import { enableTwoFactor, startTwoFactor } from '../data/account';
import type { TwoFactorSetup as Setup } from '../api/schemas';
import { t } from '../i18n';
import { TextField, focusFirstInvalid } from '../ui/Field';
import { useSubmit } from '../ui/hooks';
import { ErrorAlert, Notice } from '../ui/status';
import { required, sixDigits, validate } from '../ui/validate';
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
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submission = useSubmit();
  const ref = useRef<HTMLFormElement>(null);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const found = validate({ password }, { password: [required] });
    setError(found.password);
    if (found.password) return void requestAnimationFrame(() => focusFirstInvalid(ref.current));
    void submission.run(async () => onSetup(await startTwoFactor(password)));
  };

  return (
    <form ref={ref} class="form" onSubmit={onSubmit} noValidate>
      <TextField label={t('auth.current_password')} name="password" type="password" autocomplete="current-password" value={password} onValue={setPassword} error={error} required />
      <ErrorAlert error={submission.error} overrides={{ validation_failed: 'auth.2fa.wrong_password', conflict: 'auth.2fa.already_on' }} />
      <button type="submit" class="button" disabled={submission.busy}>
        {t('auth.2fa.start')}
      </button>
    </form>
  );
}

function ScanStep({ setup, onEnabled, onRestart }: { setup: Setup; onEnabled: (codes: string[]) => void; onRestart: () => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | undefined>();
  const submission = useSubmit();
  const ref = useRef<HTMLFormElement>(null);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    const found = validate({ code }, { code: [required, sixDigits] });
    setError(found.code);
    if (found.code) return void requestAnimationFrame(() => focusFirstInvalid(ref.current));
    void submission.run(async () => {
      const answer = await enableTwoFactor(code.replace(/\s/g, ''));
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
      <form ref={ref} class="form" onSubmit={onSubmit} noValidate>
        <TextField label={t('auth.2fa.code')} name="code" autocomplete="one-time-code" inputMode="numeric" maxLength={7} value={code} onValue={setCode} error={error} required />
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
