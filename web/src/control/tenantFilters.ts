/**
 * The filters of the operators' list of organisations as the address holds them
 * (`/operators/tenants?status=active&placement=dedicated&cluster=default`), so that a reload or
 * a shared link keeps them, and the same filters as the API's query.
 */

import type { PlacementMode, TenantStatus } from '../api/schemas';
import type { TenantsQuery } from '../data/operators';

export const TENANT_STATUSES: readonly TenantStatus[] = ['provisioning', 'active', 'suspended', 'deleting', 'deleted', 'failed'];
export const PLACEMENT_MODES: readonly PlacementMode[] = ['pooled', 'dedicated'];

export interface TenantFilters {
  status: TenantStatus | '';
  placement: PlacementMode | '';
  /** A cluster's name (`default`, say), or `''` for any. */
  cluster: string;
}

export const NO_FILTERS: TenantFilters = { status: '', placement: '', cluster: '' };

export const TENANTS_PATH = '/operators/tenants';
const CLUSTER_MAX = 63;

/** Reads what the address says; anything unknown means no filter. */
export function parseTenantFilters(query: URLSearchParams): TenantFilters {
  return {
    status: pick(query.get('status'), TENANT_STATUSES),
    placement: pick(query.get('placement'), PLACEMENT_MODES),
    cluster: (query.get('cluster') ?? '').trim().slice(0, CLUSTER_MAX),
  };
}

/** The address of the list: only the filters set, so the unfiltered list stays plain. */
export function tenantsHref(filters: TenantFilters): string {
  const query = new URLSearchParams();
  if (filters.status) query.set('status', filters.status);
  if (filters.placement) query.set('placement', filters.placement);
  const cluster = filters.cluster.trim();
  if (cluster) query.set('cluster', cluster);
  const qs = query.toString();
  return qs ? `${TENANTS_PATH}?${qs}` : TENANTS_PATH;
}

/** The API's query for one page of the list: the filters set, the page's size and cursor. */
export function tenantsQuery(filters: TenantFilters, limit: number, cursor: string | null): TenantsQuery {
  const query: TenantsQuery = { limit };
  if (filters.status) query.status = filters.status;
  if (filters.placement) query.placement = filters.placement;
  const cluster = filters.cluster.trim();
  if (cluster) query.cluster = cluster;
  if (cursor) query.cursor = cursor;
  return query;
}

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | '' {
  return allowed.includes(value as T) ? (value as T) : '';
}
