import { t } from '../../i18n';
import { Page } from '../../ui/Page';
import { ApiKeysPanel } from './ApiKeysPanel';
import { WebhooksPanel } from './WebhooksPanel';

export function IntegrationsPage() {
  return (
    <Page title={t('integrations.title')}>
      <p class="lead">{t('integrations.lead')}</p>
      <ApiKeysPanel />
      <WebhooksPanel />
    </Page>
  );
}
