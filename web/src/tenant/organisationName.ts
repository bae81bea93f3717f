/**
 * The organisation's name on its host's pages before anyone signs in, from its public status
 * (`GET /v1/tenants/{slug}/status`): asked once for the tab's life, the slug standing in while
 * it loads or when it cannot be had. Signed in, the session names the organisation.
 */

import { tenantStatus } from '../data/organisation';
import { useResource } from '../data/resource';

const asked = new Map<string, Promise<string>>();

function organisationName(slug: string): Promise<string> {
  let name = asked.get(slug);
  if (!name) {
    name = tenantStatus(slug).then((view) => view.name);
    // A failure is not kept: the next page that needs the name asks again.
    name.catch(() => asked.delete(slug));
    asked.set(slug, name);
  }
  return name;
}

export function useOrganisationName(slug: string): string {
  return useResource(`organisation-name:${slug}`, () => organisationName(slug)).data ?? slug;
}
