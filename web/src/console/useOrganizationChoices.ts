/**
 * The tenant's customer organisations for the choosers that name them (a rule's condition, an SLA
 * policy's) and for what those name: read once per view, by name, up to a bound; the panels of a
 * page opening together share one request.
 */

import { organizationChoices, type OrganizationChoices } from '../data/organizations';
import { useResource, type Resource } from '../data/resource';
import { shared } from '../data/shared';
import { useMember } from '../tenant/member';

export function useOrganizationChoices(): Resource<OrganizationChoices> {
  const { slug } = useMember();
  return useResource(`organization-choices:${slug}`, () => shared(`organization-choices:${slug}`, () => organizationChoices()));
}
