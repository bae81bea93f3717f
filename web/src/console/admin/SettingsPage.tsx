import { t } from '../../i18n';
import { Page } from '../../ui/Page';
import { SlaPolicyForm } from './SlaPolicyForm';
import { TwoFactorPanel } from './TwoFactorPanel';

export function SettingsPage() {
  return (
    <Page title={t('console.settings.title')}>
      <TwoFactorPanel />
      <SlaPolicyForm />
    </Page>
  );
}
