//! The app's client instance and `api()`, the call every page uses.

import { ApiClient } from './client';
import type { Method, OptionsArg, PathFor, ResponseBody } from './types';

export { ApiProblem } from './problem';

export const client = new ApiClient((input, init) => fetch(input, init));

export function api<M extends Method, P extends PathFor<M>>(
  method: M,
  path: P,
  ...options: OptionsArg<M, P>
): Promise<ResponseBody<M, P>> {
  return client.call(method, path, ...options);
}
