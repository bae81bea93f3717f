import { t } from '../../i18n';
import { Page } from '../../ui/Page';
import { OrderNumberPanel } from './OrderNumberPanel';
import { ProfilePanel } from './ProfilePanel';
import { TicketAccessPanel } from './TicketAccessPanel';
import { TwoFactorPanel } from './TwoFactorPanel';

export function OrganisationPage() {
  return (
    <Page title={t('console.organisation.title')}>
      <ProfilePanel />
      <TicketAccessPanel />
      <OrderNumberPanel />
      <TwoFactorPanel />
    </Page>
  );
}
