/**
 * The SLA policies: the default one (its targets and auto-close delays), the ordered list of
 * policies by condition (the first whose conditions all match a ticket applies; none matching,
 * the default does), and the summary of where tickets stand.
 */

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

/** The default policy; `schedule_id`: the schedule its targets count, `null` for 24/7. */
export type SlaPolicy = ResponseBody<'GET', '/v1/sla/policy'>;
export type SlaPolicyInput = JsonBody<'PUT', '/v1/sla/policy'>;
export type SlaSummary = ResponseBody<'GET', '/v1/sla/summary'>;
/** A policy by condition, as the server keeps it. */
export type ConditionalPolicy = ResponseBody<'GET', '/v1/sla/policies'>['policies'][number];
/** A policy by condition as sent: the conditions' keys and `next_response_minutes` may be left out. */
export type ConditionalPolicyInput = JsonBody<'PUT', '/v1/sla/policies'>['policies'][number];

export function getSlaPolicy(signal?: AbortSignal): Promise<SlaPolicy> {
  return api('GET', '/v1/sla/policy', { signal });
}

export function saveSlaPolicy(policy: SlaPolicyInput): Promise<SlaPolicy> {
  return api('PUT', '/v1/sla/policy', { body: policy });
}

/** The policies by condition, in the order they are tried (at most 50). */
export async function listConditionalPolicies(signal?: AbortSignal): Promise<ConditionalPolicy[]> {
  return (await api('GET', '/v1/sla/policies', { signal })).policies;
}

/** Replaces the whole list, in this order; resolves to the list the server keeps. */
export async function saveConditionalPolicies(policies: ConditionalPolicyInput[]): Promise<ConditionalPolicy[]> {
  return (await api('PUT', '/v1/sla/policies', { body: { policies } })).policies;
}

export function getSlaSummary(signal?: AbortSignal): Promise<SlaSummary> {
  return api('GET', '/v1/sla/summary', { signal });
}
