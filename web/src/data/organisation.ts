/**
 * An organisation (tenant): signing one up, its provisioning status, its settings, and the
 * invitations to join it.
 */

import { api } from '../api';
import type { JsonBody, ResponseBody } from '../api/types';

export type TenantStatusView = ResponseBody<'GET', '/v1/tenants/{slug}/status'>;
export type Signup = JsonBody<'POST', '/v1/tenants/signup'>;
export type NewInvitation = JsonBody<'POST', '/v1/tenants/{slug}/invitations'>;

export function signUp(signup: Signup) {
  return api('POST', '/v1/tenants/signup', { auth: false, body: signup });
}

/** Public: where an organisation's provisioning stands, and its address. */
export function tenantStatus(slug: string, signal?: AbortSignal): Promise<TenantStatusView> {
  return api('GET', '/v1/tenants/{slug}/status', { path: { slug }, auth: false, signal });
}

export function getTenant(slug: string, signal?: AbortSignal) {
  return api('GET', '/v1/tenants/{slug}', { path: { slug }, signal });
}

export type Tenant = ResponseBody<'GET', '/v1/tenants/{slug}'>;
/** What the Organisation page's profile changes: the name, the IANA time zone where its days
 * begin and end, and its language (one the platform speaks). */
export type TenantProfile = Pick<Tenant, 'name' | 'time_zone' | 'default_locale'>;

/** Sends what changed only; a bad value is 422 naming its field. */
export function updateTenantProfile(slug: string, change: Partial<TenantProfile>): Promise<Tenant> {
  return api('PATCH', '/v1/tenants/{slug}', { path: { slug }, body: change });
}

export function setRequire2fa(slug: string, required: boolean) {
  return api('PATCH', '/v1/tenants/{slug}', { path: { slug }, body: { settings: { require_2fa_for_admins: required } } });
}

export function openInvitations(slug: string, signal?: AbortSignal) {
  return api('GET', '/v1/tenants/{slug}/invitations', { path: { slug }, query: { limit: 100 }, signal });
}

export function invite(slug: string, invitation: NewInvitation) {
  return api('POST', '/v1/tenants/{slug}/invitations', { path: { slug }, body: invitation });
}

export function revokeInvitation(slug: string, id: string) {
  return api('DELETE', '/v1/tenants/{slug}/invitations/{id}', { path: { slug, id } });
}

export type TicketSettings = ResponseBody<'GET', '/v1/ticket-settings'>;
export type AgentTicketAccess = NonNullable<TicketSettings['agent_ticket_access']>;
/** Whether customers give an order number with a new ticket: `hidden`, `optional` or `required`. */
export type OrderNumber = TicketSettings['order_number'];

/** The organisation's ticket settings (staff read them whole, customers `order_number` alone). */
export function getTicketSettings(signal?: AbortSignal) {
  return api('GET', '/v1/ticket-settings', { signal });
}

export function setAgentTicketAccess(access: AgentTicketAccess) {
  return api('PATCH', '/v1/ticket-settings', { body: { agent_ticket_access: access } });
}

export function setOrderNumber(orderNumber: OrderNumber) {
  return api('PATCH', '/v1/ticket-settings', { body: { order_number: orderNumber } });
}
