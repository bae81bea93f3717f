/** What platform operators read of the platform, and change in it: every organisation, where its
 * rows are, and its moves from one placement to another. */

import { api } from '../api';
import type { JsonBody, QueryParams, ResponseBody } from '../api/types';

export type TenantsPage = ResponseBody<'GET', '/v1/tenants'>;
export type PlacedTenant = TenantsPage['data'][number];
export type TenantsQuery = NonNullable<QueryParams<'GET', '/v1/tenants'>>;

/** A page of organisations, oldest first (platform operators only: 403 for anyone else). */
export function listTenants(query: TenantsQuery, signal?: AbortSignal): Promise<TenantsPage> {
  return api('GET', '/v1/tenants', { query, signal });
}

export type TenantPlacement = ResponseBody<'GET', '/v1/tenants/{slug}/placement'>;
export type TenantMove = NonNullable<TenantPlacement['move']>;
export type MoveRequest = JsonBody<'POST', '/v1/tenants/{slug}/placement'>;

/** Where an organisation's rows are, with its current or last move (null if it never moved). */
export function placementOf(slug: string, signal?: AbortSignal): Promise<TenantPlacement> {
  return api('GET', '/v1/tenants/{slug}/placement', { path: { slug }, signal });
}

/** Starts moving an organisation (`cluster` absent: the one it is on); it keeps serving while its
 * rows are copied, and its writes wait a few seconds while it switches. Resolves to its placement
 * with the move just started. */
export function moveTenant(slug: string, request: MoveRequest): Promise<TenantPlacement> {
  return api('POST', '/v1/tenants/{slug}/placement', { path: { slug }, body: request });
}
