/**
 * The help center's categories for the console's pages (the list's filter, the editor's select,
 * the Categories page), by position.
 */

import { listCategories, type Category } from '../../data/helpCenter';
import { useResource, type Resource } from '../../data/resource';
import { useMember } from '../../tenant/member';
import { sortCategories } from '../helpCenter';

export function useCategories(): Resource<Category[]> {
  const { slug } = useMember();
  return useResource(`kb-categories:${slug}`, async (signal) => sortCategories(await listCategories(signal)));
}
