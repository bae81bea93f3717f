//! The dashboard's other numbers: each agent's workload and the organisation's file storage.

import { api } from '../api';
import type { ResponseBody } from '../api/types';

export type Workload = ResponseBody<'GET', '/v1/agents/workload'>;
export type StorageUsage = ResponseBody<'GET', '/v1/storage/usage'>;

export function getWorkload(signal?: AbortSignal): Promise<Workload> {
  return api('GET', '/v1/agents/workload', { query: { limit: 100 }, signal });
}

export function getStorageUsage(signal?: AbortSignal): Promise<StorageUsage> {
  return api('GET', '/v1/storage/usage', { signal });
}
