/**
 * The organisation's ticket categories for the views that offer or name them (the portal's form
 * and ticket, the queue's filter, a ticket's facts, the Categories page): one answer shared while
 * it is fresh, read again everywhere when a category is made or changed in this tab. Staff read
 * the archived ones too, so a ticket that holds one is named by its label.
 */

import { useEffect, useState } from 'preact/hooks';
import { categoriesVersion, onCategoriesChanged, sharedCategories, type TicketCategory } from '../data/categories';
import { useResource, type Resource } from '../data/resource';
import { useMember } from '../tenant/member';

export function useTicketCategories(): Resource<TicketCategory[]> {
  const { slug, member } = useMember();
  const [version, setVersion] = useState(categoriesVersion);
  useEffect(() => onCategoriesChanged(() => setVersion(categoriesVersion())), []);
  const archived = member.role !== 'customer';
  const key = `${slug}:${archived}:${version}`;
  return useResource(`ticket-categories:${key}`, () => sharedCategories(key, archived));
}
