//! The SLA policy (its targets and auto-close delays) and the summary of where tickets stand.

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export type SlaPolicy = ResponseBody<'GET', '/v1/sla/policy'>;
export type SlaSummary = ResponseBody<'GET', '/v1/sla/summary'>;

export function getSlaPolicy(signal?: AbortSignal): Promise<SlaPolicy> {
  return api('GET', '/v1/sla/policy', { signal });
}

export function saveSlaPolicy(policy: JsonBody<'PUT', '/v1/sla/policy'>) {
  return api('PUT', '/v1/sla/policy', { body: policy });
}

export function getSlaSummary(signal?: AbortSignal): Promise<SlaSummary> {
  return api('GET', '/v1/sla/summary', { signal });
}
