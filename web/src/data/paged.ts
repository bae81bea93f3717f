/**
 * A list read a page at a time ("load more"), built on `useLive`: its head is loaded again
 * (polled with the last ETag when live) and replaces what it covers, pages loaded further down
 * stay (`listing.ts`).
 */

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Revalidated } from '../api';
import { PAGE_SIZE, appendPage, headSize, mergeHead, type Listing } from './listing';
import type { Page } from './pages';
import { useLive, type LiveOptions, type Resource } from './resource';

export interface PagedSource<T> {
  /** The first `limit` items, `changed: false` while the answer tagged `etag` is current. */
  head(limit: number, etag: string | null, signal: AbortSignal): Promise<Revalidated<Page<T>>>;
  /** The page at `cursor`. */
  page(cursor: string, signal?: AbortSignal): Promise<Page<T>>;
}

export interface Paged<T> extends Omit<Resource<Listing<T>>, 'data'> {
  /** This key's list (the last key's while the first answer is awaited). */
  listing: Listing<T> | undefined;
  /** Items that appeared at the last update that brought some (for a live announcement: kept
   * through the updates without news that a burst of live frames brings after it). */
  arrived: number;
  /** Appends the next page; rejects when it fails. */
  loadMore: () => Promise<void>;
}

export function usePaged<T extends { id: number }>(
  key: string,
  source: PagedSource<T>,
  options: Pick<LiveOptions, 'live' | 'follows'> & { pageSize?: number } = {},
): Paged<T> {
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const shown = useRef<{ key: string; listing: Listing<T> } | null>(null);
  const asked = useRef<{ key: string; limit: number }>({ key, limit: pageSize });
  const [arrived, setArrived] = useState(0);
  // Arrivals are news within one list: another list starts with none.
  useEffect(() => setArrived(0), [key]);
  const mine = () => (shown.current?.key === key ? shown.current.listing : null);

  const resource = useLive<Listing<T>>(
    key,
    async (etag, signal) => {
      const held = mine();
      const want = held ? headSize(held.items.length, pageSize) : pageSize;
      const same = asked.current.key === key && asked.current.limit === want;
      const answer = await source.head(want, same ? etag : null, signal);
      if (!answer.changed || signal.aborted) return { changed: false };
      asked.current = { key, limit: want };
      const head = { items: answer.body.data, cursor: answer.body.next_cursor ?? null };
      const listing = held ? mergeHead(held, head, want) : head;
      const before = new Set(held?.items.map((t) => t.id) ?? []);
      const fresh = held ? listing.items.filter((t) => !before.has(t.id)).length : 0;
      if (fresh > 0) setArrived(fresh);
      shown.current = { key, listing };
      return { changed: true, body: listing, etag: answer.etag };
    },
    { live: options.live, follows: options.follows },
  );

  const setData = useCallback(
    (update: (current: Listing<T> | undefined) => Listing<T> | undefined) =>
      resource.setData((current) => {
        const next = update(current);
        if (next) shown.current = { key, listing: next };
        return next;
      }),
    [key],
  );

  const loadMore = useCallback(async () => {
    const held = mine();
    if (!held?.cursor) return;
    const page = await source.page(held.cursor);
    const listing = appendPage(held, { items: page.data, cursor: page.next_cursor ?? null });
    shown.current = { key, listing };
    setArrived(0);
    resource.setData(() => listing);
  }, [key, source]);

  const { data, ...rest } = resource;
  return { ...rest, setData, listing: data, arrived, loadMore };
}
