//! Calls to routes the services are adding whose paths the OpenAPI copies (`api/*.json`) do not
//! hold yet, so `api()` cannot type them: each module types its shapes by hand and calls them
//! through here. A route moves to `api()` (and its hand-written types to the generated ones) as
//! soon as `npm run generate` knows it.

import { client, type Revalidated } from '../api';
import type { CallOptions } from '../api/types';

interface LooseOptions extends CallOptions {
  query?: Record<string, unknown>;
  body?: unknown;
}

interface LooseClient {
  call(method: string, path: string, options?: LooseOptions): Promise<unknown>;
  revalidate(path: string, etag: string | null, options?: LooseOptions): Promise<Revalidated<unknown>>;
}

const loose = client as unknown as LooseClient;

export function pendingCall<T>(method: 'GET' | 'POST' | 'PUT', path: `/v1/${string}`, options?: LooseOptions): Promise<T> {
  return loose.call(method, path, options) as Promise<T>;
}

export function pendingRevalidate<T>(path: `/v1/${string}`, etag: string | null, options?: LooseOptions): Promise<Revalidated<T>> {
  return loose.revalidate(path, etag, options) as Promise<Revalidated<T>>;
}
