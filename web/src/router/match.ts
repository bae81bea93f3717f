/** Route patterns: `/tickets/{id}` matches `/tickets/42` with `{ id: '42' }`. */

export type Params = Record<string, string>;

export function matchPath(pattern: string, path: string): Params | null {
  const want = split(pattern);
  const got = split(path);
  if (want.length !== got.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i += 1) {
    const part = want[i]!;
    const value = got[i]!;
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name) {
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        return null;
      }
    } else if (part !== value) {
      return null;
    }
  }
  return params;
}

/** A path to return to after signing in: only this site's own paths, never `//elsewhere`. */
export function safeNext(next: string | null | undefined, fallback = '/'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  return next;
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}
