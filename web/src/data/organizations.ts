/**
 * Customer organisations: the companies the tenant's customers belong to (never the tenant
 * itself, whose own settings are `organisation.ts`'s). Everyone on the staff reads them; owners
 * and admins make, change and delete them and keep their members. A customer reads the ones they
 * belong to (`myOrganizations`), with what each shares.
 */

import { api } from '../api';
import type { NewOrganization, Organization, OrganizationChange, OrganizationMember, OrganizationMembership, OrganizationPage, OrganizationRole } from '../api/schemas';
import { boundedPages, type Page } from './pages';

export type {
  CustomerOrganization,
  NewOrganization,
  Organization,
  OrganizationChange,
  OrganizationMember,
  OrganizationMembership,
  OrganizationPage,
  OrganizationRole,
} from '../api/schemas';

/** One page of the organisations by name, those whose name holds `q` when it is given. */
export function organizationsPage(q: string, cursor: string | null, limit: number, signal?: AbortSignal): Promise<Page<Organization>> {
  return api('GET', '/v1/organizations', { query: { q: q || undefined, limit, cursor: cursor ?? undefined }, signal });
}

/** How many pages of a hundred the choosers read: enough for most tenants in a few calls. */
const CHOICE_PAGES = 10;
/** The most organisations a chooser offers. */
export const CHOICES_MAX = CHOICE_PAGES * 100;

/** The organisations to choose from (a rule's condition, an SLA policy's), by name, their ids and
 * names only; `complete`: every one of the tenant's is there (else the first `CHOICES_MAX`). */
export interface OrganizationChoices {
  organizations: { id: string; name: string }[];
  complete: boolean;
}

export async function organizationChoices(signal?: AbortSignal): Promise<OrganizationChoices> {
  const { items, complete } = await boundedPages((cursor) => organizationsPage('', cursor ?? null, 100, signal), CHOICE_PAGES);
  return { organizations: items.map(({ id, name }) => ({ id, name })), complete };
}

/** One organisation with its statistics, counted now. */
export function getOrganization(id: string, signal?: AbortSignal): Promise<OrganizationPage> {
  return api('GET', '/v1/organizations/{id}', { path: { id }, signal });
}

export function createOrganization(organization: NewOrganization): Promise<Organization> {
  return api('POST', '/v1/organizations', { body: organization });
}

/** Each field optional; `domains` replaces the whole list. */
export function changeOrganization(id: string, change: OrganizationChange): Promise<Organization> {
  return api('PATCH', '/v1/organizations/{id}', { path: { id }, body: change });
}

/** Its memberships go; its people and its tickets stay (the tickets without an organisation). */
export async function removeOrganization(id: string): Promise<void> {
  await api('DELETE', '/v1/organizations/{id}', { path: { id } });
}

/** One page of its members, in the order they joined. */
export function membersPage(id: string, cursor: string | null, limit: number, signal?: AbortSignal): Promise<Page<OrganizationMember>> {
  return api('GET', '/v1/organizations/{id}/members', { path: { id }, query: { limit, cursor: cursor ?? undefined }, signal });
}

/** Adds a customer, or changes their role, or makes it their primary organisation (`primary`). */
export function putMember(id: string, userId: string, membership: { role?: OrganizationRole; primary?: true }): Promise<OrganizationMember> {
  return api('PUT', '/v1/organizations/{id}/members/{user_id}', { path: { id, user_id: userId }, body: membership });
}

/** Their oldest remaining organisation becomes their primary when this one was. */
export async function removeMember(id: string, userId: string): Promise<void> {
  await api('DELETE', '/v1/organizations/{id}/members/{user_id}', { path: { id, user_id: userId } });
}

/** The signed-in customer's organisations, with their role and what each shares. */
export function myOrganizations(signal?: AbortSignal): Promise<OrganizationMembership[]> {
  return api('GET', '/v1/me/organizations', { signal });
}
