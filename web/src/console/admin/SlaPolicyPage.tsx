/**
 * Settings > SLA: the default policy (for the tickets no policy by condition matches), then the
 * policies by condition, in the order they are tried.
 */

import { getSlaPolicy } from '../../data/sla';
import { useResource } from '../../data/resource';
import { t } from '../../i18n';
import { Page } from '../../ui/Page';
import { ConditionalPoliciesPanel } from './ConditionalPoliciesPanel';
import { SlaPolicyForm } from './SlaPolicyForm';
import { Panel } from '../../ui/Panel';

export function SlaPolicyPage() {
  const policy = useResource('sla-policy', getSlaPolicy);
  return (
    <Page title={t('console.policy.title')}>
      <p class="hint">{t('console.policy.lead')}</p>
      <Panel title={t('policies.default.title')}>
        <p class="hint">{t('policies.default.lead')}</p>
        <SlaPolicyForm policy={policy} />
      </Panel>
      <ConditionalPoliciesPanel defaults={policy.data?.targets} />
    </Page>
  );
}
