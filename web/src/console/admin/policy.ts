/**
 * The SLA policy as a form: every target and delay a whole number of minutes from 1 to 525,600
 * (a year), each response target at most its resolution target, and the schedule its targets
 * count (`''`: 24/7). The server checks the same rules; its field names
 * (`targets.high.response_minutes`, `schedule_id`) are the form's.
 */

import type { Priority } from '../../api/schemas';
import type { SlaPolicy, SlaPolicyInput } from '../../data/sla';
import type { MessageKey } from '../../i18n';

export type { SlaPolicy } from '../../data/sla';
export const POLICY_PRIORITIES: readonly Priority[] = ['urgent', 'high', 'medium', 'low'];
export const MAX_MINUTES = 525_600;

export type TargetField = `targets.${Priority}.${'response_minutes' | 'resolution_minutes'}`;
export type PolicyField = TargetField | 'auto_close.waiting_customer_minutes' | 'auto_close.resolved_minutes' | 'schedule_id';
export type PolicyValues = Record<PolicyField, string>;

export function toValues(policy: SlaPolicy): PolicyValues {
  const values = {} as PolicyValues;
  for (const p of POLICY_PRIORITIES) {
    values[`targets.${p}.response_minutes`] = String(policy.targets[p].response_minutes);
    values[`targets.${p}.resolution_minutes`] = String(policy.targets[p].resolution_minutes);
  }
  values['auto_close.waiting_customer_minutes'] = String(policy.auto_close.waiting_customer_minutes);
  values['auto_close.resolved_minutes'] = String(policy.auto_close.resolved_minutes);
  values.schedule_id = policy.schedule_id ?? '';
  return values;
}

/** Whole minutes within bounds, or null. */
export function minutes(value: string): number | null {
  const trimmed = value.trim();
  if (!/^\d{1,7}$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return n >= 1 && n <= MAX_MINUTES ? n : null;
}

export type PolicyErrors = Partial<Record<PolicyField, MessageKey>>;

export function checkPolicy(values: PolicyValues): { errors: PolicyErrors; policy: SlaPolicyInput | null } {
  const errors: PolicyErrors = {};
  const read = (field: PolicyField) => {
    const n = minutes(values[field]);
    if (n === null) errors[field] = 'console.policy.bounds';
    return n ?? 0;
  };
  const targets = {} as SlaPolicy['targets'];
  for (const p of POLICY_PRIORITIES) {
    const response = read(`targets.${p}.response_minutes`);
    const resolution = read(`targets.${p}.resolution_minutes`);
    if (!errors[`targets.${p}.response_minutes`] && !errors[`targets.${p}.resolution_minutes`] && response > resolution) {
      errors[`targets.${p}.response_minutes`] = 'console.policy.order';
    }
    targets[p] = { response_minutes: response, resolution_minutes: resolution };
  }
  const auto_close = { waiting_customer_minutes: read('auto_close.waiting_customer_minutes'), resolved_minutes: read('auto_close.resolved_minutes') };
  return { errors, policy: Object.keys(errors).length ? null : { targets, auto_close, schedule_id: values.schedule_id || null } };
}

/** The server's field errors in the form's words (its messages are English only). */
export function serverErrors(errors: { field: string; message: string }[]): PolicyErrors {
  const out: PolicyErrors = {};
  for (const { field, message } of errors) {
    if (field === 'schedule_id') out.schedule_id ??= 'policies.form.schedule_invalid';
    else out[field as PolicyField] ??= /exceed/.test(message) ? 'console.policy.order' : 'console.policy.bounds';
  }
  return out;
}
