/** The ten recovery codes, shown once: copy them, download them, and say they are kept. */

import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { Notice } from '../ui/status';
import { recoveryCodesText } from './dataUrl';
import { useCopy } from '../ui/hooks';

export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  const { copied, copy: copyText } = useCopy();
  const heading = useRef<HTMLHeadingElement>(null);
  const checkboxId = useId();
  const text = recoveryCodesText(codes, t('auth.codes.file_heading'));

  useLayoutEffect(() => heading.current?.focus(), []);

  const copy = () => void copyText(text);

  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'helpdeskly-recovery-codes.txt';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <section class="panel" aria-labelledby={`${checkboxId}-h`}>
      <h2 id={`${checkboxId}-h`} ref={heading} tabIndex={-1}>
        {t('auth.codes.title')}
      </h2>
      <Notice tone="success">{t('auth.codes.enabled')}</Notice>
      <p>{t('auth.codes.lead')}</p>
      <ul class="codes" aria-label={t('auth.codes.title')}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div class="actions">
        <button type="button" class="button button--secondary" onClick={copy}>
          {t('auth.codes.copy')}
        </button>
        <button type="button" class="button button--secondary" onClick={download}>
          {t('auth.codes.download')}
        </button>
      </div>
      <div role="status">{copied ? <p>{copied === 'yes' ? t('auth.codes.copied') : t('auth.codes.copy_failed')}</p> : null}</div>
      <div class="checkbox">
        <input id={checkboxId} type="checkbox" checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} />
        <label for={checkboxId}>{t('auth.codes.saved')}</label>
      </div>
      <button type="button" class="button" disabled={!saved} onClick={onDone}>
        {t('auth.codes.done')}
      </button>
    </section>
  );
}
