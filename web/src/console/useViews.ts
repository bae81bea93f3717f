/**
 * The views (saved filters the server keeps) for the console: the sidebar lists them, the queue
 * saves and deletes them. One list shared while it is fresh, read again everywhere when a view is
 * saved or deleted in this tab; the counts are read again whenever the sidebar's queue counts
 * are (the live stream's list frames, a slow poll while it is down), and after such a change.
 */

import { useEffect, useMemo, useState } from 'preact/hooks';
import { ticketListChanged } from '../data/live';
import { always, useLive, useResource, type Resource } from '../data/resource';
import type { Revalidated } from '../api';
import { onViewsChanged, sharedViews, viewCounts, viewsVersion, type View, type ViewCount } from '../data/views';
import { useMember } from '../tenant/member';
import { COUNT_INTERVAL_MS } from './queue/counts';

/** Bumps with each change made to the views in this tab. */
function useViewsVersion(): number {
  const [version, setVersion] = useState(viewsVersion);
  useEffect(() => onViewsChanged(() => setVersion(viewsVersion())), []);
  return version;
}

export function useViews(): Resource<View[]> {
  const { slug } = useMember();
  const key = `${slug}:${useViewsVersion()}`;
  return useResource(`views:${key}`, () => sharedViews(key));
}

const NO_COUNTS: Revalidated<ViewCount[]> = { changed: true, body: [], etag: null };

/** Each view's exact count, by id (empty while they load, or when they could not be read);
 * `wanted` false (no view to count): none, and nothing is asked. */
export function useViewCounts(wanted = true): Map<string, number> {
  const { slug } = useMember();
  const version = useViewsVersion();
  const counts = useLive(`view-counts:${slug}:${version}:${wanted}`, wanted ? always(viewCounts) : async () => NO_COUNTS, {
    follows: wanted ? ticketListChanged : undefined,
    intervalMs: COUNT_INTERVAL_MS,
    live: wanted,
  });
  return useMemo(() => new Map((counts.data ?? []).map((c) => [c.id, c.count])), [counts.data]);
}
