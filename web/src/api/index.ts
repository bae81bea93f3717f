/** The app's client instance and `api()`, the call every page uses. */

import { ApiClient, type Download, type Revalidated } from './client';
import type { Method, OptionsArg, PathFor, ResponseBody } from './types';

export { ApiProblem } from './problem';
export type { Download, Revalidated } from './client';

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

/** A file the API answers with (of type `accept`), fetched with the session's token. */
export function download<P extends PathFor<'GET'>>(path: P, accept: string, ...options: OptionsArg<'GET', P>): Promise<Download> {
  return client.download(path, accept, ...options);
}
