import { t } from '../../i18n';
import { Page } from '../../ui/Page';
import { SatisfactionPanel } from './SatisfactionPanel';
import { SlaSummaryPanel } from './SlaSummaryPanel';
import { StoragePanel } from './StoragePanel';
import { WorkloadPanel } from './WorkloadPanel';

export function DashboardPage() {
  return (
    <Page title={t('console.dash.title')}>
      <div class="dashboard">
        <SlaSummaryPanel />
        <WorkloadPanel />
        <SatisfactionPanel />
        <StoragePanel />
      </div>
    </Page>
  );
}
