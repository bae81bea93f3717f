import { t } from '../../i18n';
import { Page } from '../../ui/Page';
import { SlaPolicyForm } from './SlaPolicyForm';

export function SlaPolicyPage() {
  return (
    <Page title={t('console.policy.title')}>
      <p class="hint">{t('console.policy.lead')}</p>
      <SlaPolicyForm />
    </Page>
  );
}
