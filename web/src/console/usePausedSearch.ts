/** What a field suggests as one types: asked once typing pauses, the last answer kept. */

import { useEffect, useState } from 'preact/hooks';

/** How long typing pauses before the server is asked. */
const PAUSE_MS = 250;

/** What `ask` finds for `query`, asked once it has not changed for a moment; nothing while
 * `query` is null (nothing to ask yet). Suggestions are a help: a failure offers none. */
export function usePausedSearch<T>(query: string | null, ask: (query: string, signal: AbortSignal) => Promise<T[]>): T[] {
  const [found, setFound] = useState<T[]>([]);
  useEffect(() => {
    if (query === null) {
      setFound([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      ask(query, controller.signal).then(
        (items) => {
          if (!controller.signal.aborted) setFound(items);
        },
        () => {
          if (!controller.signal.aborted) setFound([]);
        },
      );
    }, PAUSE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query]);
  return found;
}
