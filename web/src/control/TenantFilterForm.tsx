/** The filters of the operators' list of organisations: applied together when the form is sent
 * (Enter in any field, or the Apply button), cleared at once by Clear. */

import { useEffect } from 'preact/hooks';
import type { PlacementMode, TenantStatus } from '../api/schemas';
import { t, type MessageKey } from '../i18n';
import { SelectField, TextField } from '../ui/Field';
import { useFields } from '../ui/form';
import { NO_FILTERS, PLACEMENT_MODES, TENANT_STATUSES, type TenantFilters } from './tenantFilters';

export const STATUS_LABEL: Record<TenantStatus, MessageKey> = {
  provisioning: 'operators.status.provisioning',
  active: 'operators.status.active',
  suspended: 'operators.status.suspended',
  deleting: 'operators.status.deleting',
  deleted: 'operators.status.deleted',
  failed: 'operators.status.failed',
};

export const PLACEMENT_LABEL: Record<PlacementMode, MessageKey> = {
  pooled: 'operators.placement.pooled',
  dedicated: 'operators.placement.dedicated',
};

export function TenantFilterForm({ filters, onApply }: { filters: TenantFilters; onApply: (filters: TenantFilters) => void }) {
  const form = useFields<TenantFilters>(filters);
  const { values } = form;
  // The address changed (back, a link): the form shows its filters.
  useEffect(() => form.setValues(filters), [filters.status, filters.placement, filters.cluster]);

  const onSubmit = (event: Event) => {
    event.preventDefault();
    onApply({ ...values, cluster: values.cluster.trim() });
  };

  return (
    <form ref={form.ref} class="form filters" role="search" aria-label={t('operators.filters.label')} onSubmit={onSubmit} noValidate>
      <div class="filter-fields">
        <SelectField
          label={t('operators.filters.status')}
          name="status"
          value={values.status}
          onValue={(v) => form.set('status')(v as TenantFilters['status'])}
          options={[{ value: '', label: t('operators.filters.any_status') }, ...TENANT_STATUSES.map((s) => ({ value: s, label: t(STATUS_LABEL[s]) }))]}
        />
        <SelectField
          label={t('operators.filters.placement')}
          name="placement"
          value={values.placement}
          onValue={(v) => form.set('placement')(v as TenantFilters['placement'])}
          options={[{ value: '', label: t('operators.filters.any_placement') }, ...PLACEMENT_MODES.map((p) => ({ value: p, label: t(PLACEMENT_LABEL[p]) }))]}
        />
        <TextField label={t('operators.filters.cluster')} hint={t('operators.filters.cluster_hint')} name="cluster" autocomplete="off" autocapitalize="none" spellcheck={false} maxLength={63} value={values.cluster} onValue={form.set('cluster')} />
      </div>
      <div class="actions">
        <button type="submit" class="button">
          {t('operators.filters.apply')}
        </button>
        <button type="button" class="button button--secondary" onClick={() => onApply(NO_FILTERS)}>
          {t('operators.filters.clear')}
        </button>
      </div>
    </form>
  );
}
