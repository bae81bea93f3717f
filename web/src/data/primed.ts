/**
 * Answers one request brought for others: the ticket read with its thread, links and customer
 * (`?include=`) leaves each part here under the key of the hook that shows it, and that hook's
 * first load takes it instead of asking the API again. A part not taken soon is dropped: later,
 * it would no longer be what the page opened on.
 */

/** A part waits this long for its hook before it is dropped. */
const KEPT_MS = 10_000;

const kept = new Map<string, { value: unknown; until: number }>();

export function prime(key: string, value: unknown, now: number = Date.now()): void {
  for (const [k, part] of kept) if (part.until <= now) kept.delete(k);
  kept.set(key, { value, until: now + KEPT_MS });
}

/** The part kept under `key`, once; `undefined` when none (or too old). */
export function takePrimed<T>(key: string, now: number = Date.now()): T | undefined {
  const part = kept.get(key);
  kept.delete(key);
  return part && part.until > now ? (part.value as T) : undefined;
}
