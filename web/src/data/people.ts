/**
 * The people of an organisation: the support team (everyone on the staff may read it), people
 * found by name or address (staff), its customers a page at a time, and the members list with
 * its changes (owners and admins).
 */

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';
import { allPages } from './pages';

export type StaffMember = ResponseBody<'GET', '/v1/staff'>['data'][number];
export type MemberView = ResponseBody<'GET', '/v1/tenants/{slug}/members'>['data'][number];
export type UserFound = ResponseBody<'GET', '/v1/users'>['data'][number];
export type MemberRole = NonNullable<JsonBody<'PATCH', '/v1/tenants/{slug}/members/{user_id}'>>['role'];

/** Enough for any organisation's staff and a good share of its customers, in a few calls. */
const MAX_PAGES = 10;

/** The active support team (owners, admins, agents), a hundred at a time, up to a bound. */
export function allStaff(signal?: AbortSignal): Promise<StaffMember[]> {
  return allPages((cursor) => api('GET', '/v1/staff', { query: { limit: 100, cursor }, signal }), MAX_PAGES);
}

/** The first `limit` customers (or staff) whose name or address holds `q`, by name. */
export async function findPeople(role: 'customer' | 'staff', q: string, limit: number, signal?: AbortSignal): Promise<UserFound[]> {
  return (await api('GET', '/v1/users', { query: { role, q, limit }, signal })).data;
}

/** One page of the organisation's customers, by name, those whose name or address holds `q`
 * when it is given. */
export function customersPage(q: string, cursor: string | null, limit: number, signal?: AbortSignal) {
  return api('GET', '/v1/users', { query: { role: 'customer', q: q || undefined, limit, cursor: cursor ?? undefined }, signal });
}

/** The organisation's members, a hundred at a time, up to a bound. */
export function allMembers(slug: string, signal?: AbortSignal): Promise<MemberView[]> {
  return allPages((cursor) => api('GET', '/v1/tenants/{slug}/members', { path: { slug }, query: { limit: 100, cursor }, signal }), MAX_PAGES);
}

export function changeMemberRole(slug: string, userId: string, role: MemberRole) {
  return api('PATCH', '/v1/tenants/{slug}/members/{user_id}', { path: { slug, user_id: userId }, body: { role } });
}

export function removeMember(slug: string, userId: string) {
  return api('DELETE', '/v1/tenants/{slug}/members/{user_id}', { path: { slug, user_id: userId } });
}
