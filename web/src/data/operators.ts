/** What platform operators read of the platform: every organisation and where its rows are. */

import { api } from '../api';
import type { QueryParams, ResponseBody } from '../api/types';

export type TenantsPage = ResponseBody<'GET', '/v1/tenants'>;
export type PlacedTenant = TenantsPage['data'][number];
export type TenantsQuery = NonNullable<QueryParams<'GET', '/v1/tenants'>>;

/** A page of organisations, oldest first (platform operators only: 403 for anyone else). */
export function listTenants(query: TenantsQuery, signal?: AbortSignal): Promise<TenantsPage> {
  return api('GET', '/v1/tenants', { query, signal });
}
