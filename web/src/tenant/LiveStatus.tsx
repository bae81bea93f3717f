/**
 * The header's word on how this tab stays current: "Live" while the stream is up, "Updates
 * every few seconds" while the views poll instead. Nothing is said before the stream's first
 * answer (it is usually up within a moment). A change is announced politely.
 */

import { useLiveMode } from '../data/live';
import { t } from '../i18n';

export function LiveStatus() {
  const mode = useLiveMode();
  const live = mode === 'live';
  const text = mode === 'connecting' ? '' : live ? t('live.on') : t('live.polling');
  return (
    <p class={live ? 'live-status live-status--on' : 'live-status'} role="status" title={mode === 'connecting' ? undefined : t(live ? 'live.on_hint' : 'live.polling_hint')}>
      {text ? (
        <>
          <span class="live-dot" aria-hidden="true" />
          {text}
        </>
      ) : null}
    </p>
  );
}
