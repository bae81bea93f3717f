//! Settings > SLA: the default policy (for the tickets no policy by condition matches), then the
//! policies by condition, in the order they are tried.

import { useId } from 'preact/hooks';
import { getSlaPolicy } from '../../data/sla';
import { useResource } from '../../data/resource';
import { t } from '../../i18n';
import { Page } from '../../ui/Page';
import { ConditionalPoliciesPanel } from './ConditionalPoliciesPanel';
import { SlaPolicyForm } from './SlaPolicyForm';

export function SlaPolicyPage() {
  const policy = useResource('sla-policy', getSlaPolicy);
  const id = useId();
  return (
    <Page title={t('console.policy.title')}>
      <p class="hint">{t('console.policy.lead')}</p>
      <section class="panel" aria-labelledby={id}>
        <h2 id={id}>{t('policies.default.title')}</h2>
        <p class="hint">{t('policies.default.lead')}</p>
        <SlaPolicyForm policy={policy} />
      </section>
      <ConditionalPoliciesPanel defaults={policy.data?.targets} />
    </Page>
  );
}
