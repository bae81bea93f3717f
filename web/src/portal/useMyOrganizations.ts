/**
 * The signed-in customer's organisations (`GET /v1/me/organizations`), with their role in each
 * and what each shares: read when a page needs them (`wanted`), and only when the person belongs
 * to some.
 */

import { myOrganizations, type OrganizationMembership } from '../data/organizations';
import { useResource } from '../data/resource';
import { useMember } from '../tenant/member';

export function useMyOrganizations(wanted = true) {
  const { slug, member } = useMember();
  const any = wanted && member.organization_ids.length > 0;
  return useResource<OrganizationMembership[]>(`my-organizations:${slug}:${member.id}:${any}`, (signal) => (any ? myOrganizations(signal) : Promise.resolve([])));
}
