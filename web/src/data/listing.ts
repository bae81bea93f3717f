/**
 * A list read a page at a time and kept current: its head (as many items as are shown, up to
 * the API's page limit) is fetched again, and replaces what it covers; pages loaded further
 * down stay.
 */

export interface Listing<T> {
  items: T[];
  cursor: string | null;
}

export const PAGE_SIZE = 25;
export const MAX_HEAD = 100;

/** How many items a poll asks for: all that are shown, within the API's limit. */
export function headSize(shown: number, pageSize: number = PAGE_SIZE): number {
  return Math.min(MAX_HEAD, Math.max(pageSize, shown));
}

/**
 * `head` is the first `asked` items as they are now. When it is the whole list (no cursor), it
 * is the list; otherwise the items shown past it (and the cursor that follows them) stay.
 */
export function mergeHead<T extends { id: number }>(shown: Listing<T>, head: Listing<T>, asked: number): Listing<T> {
  if (head.cursor === null || head.items.length < asked) return head;
  const covered = new Set(head.items.map((t) => t.id));
  const beyond = shown.items.slice(asked).filter((t) => !covered.has(t.id));
  return beyond.length ? { items: [...head.items, ...beyond], cursor: shown.cursor } : head;
}

/** A further page appended, without showing a ticket twice (the list may have moved). */
export function appendPage<T extends { id: number }>(shown: Listing<T>, page: Listing<T>): Listing<T> {
  const ids = new Set(shown.items.map((t) => t.id));
  return { items: [...shown.items, ...page.items.filter((t) => !ids.has(t.id))], cursor: page.cursor };
}
