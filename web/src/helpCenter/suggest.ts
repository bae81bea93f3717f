/**
 * When the help center is searched as someone types: what is searched for (the words typed,
 * once there are enough of them), and a debouncer that waits for a pause in the typing, so a
 * search goes out once per pause rather than once per key.
 */

/** The fewest characters a subject has before articles are suggested for it. */
export const SUGGEST_MIN_CHARS = 3;
/** The pause in typing after which the search goes out. */
export const SUGGEST_DELAY_MS = 300;
/** The search's own bound on what it is given. */
export const SEARCH_MAX_CHARS = 200;

/** What is searched for `typed`: its words, spaces folded, cut to what the search takes; `null`
 * while it is too short to say anything. */
export function searchTerm(typed: string, min = SUGGEST_MIN_CHARS): string | null {
  const words = typed.trim().replace(/\s+/g, ' ');
  if ([...words].length < min) return null;
  return [...words].slice(0, SEARCH_MAX_CHARS).join('').trim();
}

export interface Timers {
  set: (run: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
}

const BROWSER: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Calls `run` with the last value given once `ms` have passed without another; `cancel` drops
 * what waits (the page goes away), `flush` runs it at once. */
export function debouncer<T>(run: (value: T) => void, ms: number, timers: Timers = BROWSER) {
  let handle: unknown = null;
  let waiting: { value: T } | null = null;
  const fire = () => {
    handle = null;
    const pending = waiting;
    waiting = null;
    if (pending) run(pending.value);
  };
  return {
    push(value: T) {
      waiting = { value };
      if (handle !== null) timers.clear(handle);
      handle = timers.set(fire, ms);
    },
    cancel() {
      if (handle !== null) timers.clear(handle);
      handle = null;
      waiting = null;
    },
    flush() {
      if (handle !== null) timers.clear(handle);
      fire();
    },
  };
}
