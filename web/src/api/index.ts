//! The app's client instance and `api()`, the call every page uses.

import { ApiClient, type Revalidated } from './client';
import type { Method, OptionsArg, PathFor, ResponseBody } from './types';

export { ApiProblem } from './problem';
export type { Revalidated } from './client';

export const client = new ApiClient((input, init) => fetch(input, init));

export function api<M extends Method, P extends PathFor<M>>(
  method: M,
  path: P,
  ...options: OptionsArg<M, P>
): Promise<ResponseBody<M, P>> {
  return client.call(method, path, ...options);
}

/** A GET that answers `{ changed: false }` while the answer tagged `etag` is still current. */
export function revalidate<P extends PathFor<'GET'>>(path: P, etag: string | null, ...options: OptionsArg<'GET', P>): Promise<Revalidated<ResponseBody<'GET', P>>> {
  return client.revalidate(path, etag, ...options);
}
