/**
 * One request for the panels of a page that read the same thing as they open together (the
 * Organisation page's profile and 2FA panels both read the tenant): a load asked for while the
 * same key's is on its way waits for that one. Nothing is kept once it answers, so a panel
 * reading again after a change asks afresh.
 */

const flying = new Map<string, Promise<unknown>>();

/** `load`'s answer, shared with every caller asking for `key` while it is on its way. It takes no
 * signal: one caller leaving must not cancel the others' answer (theirs is simply not used). */
export function shared<T>(key: string, load: () => Promise<T>): Promise<T> {
  const going = flying.get(key);
  if (going) return going as Promise<T>;
  const started = load().finally(() => flying.delete(key));
  flying.set(key, started);
  return started;
}
