import { t } from '../../i18n';
import { Page } from '../../ui/Page';
import { OrderNumberPanel } from './OrderNumberPanel';
import { TicketAccessPanel } from './TicketAccessPanel';
import { TwoFactorPanel } from './TwoFactorPanel';

export function OrganisationPage() {
  return (
    <Page title={t('console.organisation.title')}>
      <TicketAccessPanel />
      <OrderNumberPanel />
      <TwoFactorPanel />
    </Page>
  );
}
