/**
 * Suggestions for a tag field: the tags in use that start with what is typed, most used first
 * (`GET /v1/tags?q=`), offered as a `<datalist>` (the browser's own list, which the arrow keys
 * open and Enter picks from).
 */

import { listTags, type TagCount } from '../data/tags';
import { TAG, normaliseTag } from './tags';
import { usePausedSearch } from './usePausedSearch';

/** How many tags one list suggests. */
const SUGGESTED = 10;

/** The tags in use starting with `typed`, read once typing pauses and only while `wanted` (the
 * field has had the focus): a page with a tag field asks for nothing until someone uses it.
 * Suggestions are a help: a failure offers none, and the field works the same. */
export function useTagSuggestions(typed: string, wanted: boolean): TagCount[] {
  const prefix = normaliseTag(typed);
  // What cannot start a tag has no suggestion (and the server is not asked).
  const askable = prefix === '' || TAG.test(prefix);
  return usePausedSearch(wanted && askable ? prefix : null, (q, signal) => listTags(q, SUGGESTED, signal));
}
