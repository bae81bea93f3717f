/**
 * A secret the server returns once (an API key, a webhook's signing secret): shown in full with a
 * copy button and the warning that it will not be shown again, until the user dismisses it.
 */

import type { ComponentChildren } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef } from 'preact/hooks';
import { t } from '../../i18n';
import { useCopy } from '../../ui/hooks';
import { FormRow } from '../../ui/Field';

export function OnceSecret({
  title,
  label,
  value,
  warning,
  children,
  onDone,
}: {
  title: string;
  label: string;
  value: string;
  /** That it will not be shown again. */
  warning: string;
  children?: ComponentChildren;
  onDone: () => void;
}) {
  const { copied, setCopied, copy } = useCopy();
  const heading = useRef<HTMLHeadingElement>(null);
  const id = useId();
  // Where the secret appears is where the user's attention should go (and a screen reader's).
  useLayoutEffect(() => heading.current?.focus(), [value]);
  useEffect(() => setCopied(null), [value]);
  return (
    <div class="panel panel--accent once-secret">
      <h3 ref={heading} tabIndex={-1}>
        {title}
      </h3>
      <div class="alert alert--info">
        <p>
          <strong>{warning}</strong>
        </p>
        {children}
      </div>
      <FormRow id={id} label={label}>
        {(control) => <input {...control} class="secret-field" readOnly value={value} spellcheck={false} autocomplete="off" onFocus={(e) => e.currentTarget.select()} />}
      </FormRow>
      <div class="actions">
        <button type="button" class="button button--secondary" onClick={() => void copy(value, id)}>
          {t('integrations.once.copy')}
        </button>
        <button type="button" class="button button--secondary" onClick={onDone}>
          {t('integrations.once.done')}
        </button>
      </div>
      <p role="status" class="hint">
        {copied === 'yes' ? t('integrations.once.copied') : copied === 'no' ? t('integrations.once.copy_failed') : ''}
      </p>
    </div>
  );
}
