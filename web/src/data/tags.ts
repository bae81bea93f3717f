/**
 * Tags: lower-case words the staff put on tickets (`refund`, `vip:gold`). They are written with
 * the ticket (`updateTicket` with `add_tags` or `remove_tags`); this reads the ones in use, for
 * suggestions while typing one.
 */

import { api } from '../api';
import type { TagCount } from '../api/schemas';

export type { TagCount } from '../api/schemas';

/** The tags on the tickets the caller (staff) may see, most used first; with `prefix`, only the
 * ones starting with it. */
export function listTags(prefix: string, limit: number, signal?: AbortSignal): Promise<TagCount[]> {
  const q = prefix.trim();
  return api('GET', '/v1/tags', { query: { limit, ...(q ? { q } : {}) }, signal });
}
