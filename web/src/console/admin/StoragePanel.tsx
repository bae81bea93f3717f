/** The organisation's attachment storage against its quota. */

import { useId } from 'preact/hooks';
import { getStorageUsage } from '../../data/reports';
import { useResource } from '../../data/resource';
import { formatBytes, formatNumber, getLocale, t } from '../../i18n';
import { Loaded } from '../../ui/status';
import { Panel } from '../../ui/Panel';

export function StoragePanel() {
  const usage = useResource('storage-usage', getStorageUsage);
  const id = useId();
  return (
    <Panel title={t('console.dash.storage_title')} id={id}>
      <Loaded resource={usage}>
        {(data) => (
          <>
            <label for={`${id}-meter`} class="meter-label">
              {t('console.dash.storage_used', {
                used: formatBytes(data.bytes_used),
                quota: formatBytes(data.quota_bytes),
                share: new Intl.NumberFormat(getLocale(), { style: 'percent', maximumFractionDigits: 1 }).format(data.quota_bytes > 0 ? data.bytes_used / data.quota_bytes : 0),
              })}
            </label>
            <meter id={`${id}-meter`} class="meter" min={0} max={Math.max(1, data.quota_bytes)} value={data.bytes_used} high={data.quota_bytes * 0.9} optimum={0} />
            <dl class="facts">
              <div>
                <dt>{t('console.dash.attachments')}</dt>
                <dd>{formatNumber(data.attachments)}</dd>
              </div>
              <div>
                <dt>{t('console.dash.objects')}</dt>
                <dd>{formatNumber(data.objects)}</dd>
              </div>
            </dl>
          </>
        )}
      </Loaded>
    </Panel>
  );
}
