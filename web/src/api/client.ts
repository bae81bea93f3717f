/**
 * The one way the app talks to the services: `api(method, path, options)`, typed by the
 * contract. Calls are same-origin (the Host names the tenant); the session's access token rides
 * along, and an expired one is refreshed once and the call retried once.
 */

import { ApiProblem } from './problem';
import type { CallOptions, Method, OptionsArg, PathFor, RawBody, ResponseBody } from './types';

/** The options once past the typed signature. */
interface RawOptions extends CallOptions {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  form?: Record<string, unknown>;
  raw?: RawBody;
}

/** A file the API answers with (an original message, say): its bytes and the name it gives. */
export interface Download {
  blob: Blob;
  /** From `Content-Disposition`, when the server names the file. */
  filename: string | null;
}

/** A conditional GET's outcome: the new answer and its tag, or "what you hold is current". */
export type Revalidated<T> = { changed: true; body: T; etag: string | null } | { changed: false };

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** What the client needs from the session, without depending on it. */
export interface AuthHooks {
  token(): string | null;
  /** Gets a new access token; `false` when the session is over. */
  refresh(): Promise<boolean>;
  /** A call with the token was refused as unauthorized: the session is over. */
  ended(): void;
}

export class ApiClient {
  private hooks: AuthHooks | null = null;

  constructor(private readonly fetcher: Fetch) {}

  useAuth(hooks: AuthHooks): void {
    this.hooks = hooks;
  }

  async call<M extends Method, P extends PathFor<M>>(
    method: M,
    path: P,
    ...[options]: OptionsArg<M, P>
  ): Promise<ResponseBody<M, P>> {
    const response = await this.exchange(method, path, (options ?? {}) as RawOptions, null);
    if (!response.ok) throw await ApiProblem.fromResponse(response);
    return (await readBody(response)) as ResponseBody<M, P>;
  }

  /** A GET that names the answer already held (its ETag): `changed: false` on 304 Not Modified,
   * so a poller keeps what it shows, untouched, while nothing changed. */
  async revalidate<P extends PathFor<'GET'>>(
    path: P,
    etag: string | null,
    ...[options]: OptionsArg<'GET', P>
  ): Promise<Revalidated<ResponseBody<'GET', P>>> {
    const response = await this.exchange('GET', path, (options ?? {}) as RawOptions, etag);
    if (response.status === 304) return { changed: false };
    if (!response.ok) throw await ApiProblem.fromResponse(response);
    const body = (await readBody(response)) as ResponseBody<'GET', P>;
    return { changed: true, body, etag: response.headers.get('ETag') };
  }

  /** A GET whose answer is a file rather than JSON (`accept` names its type), read whole, with
   * the session's token like every call: such a file cannot be a plain link. */
  async download<P extends PathFor<'GET'>>(path: P, accept: string, ...[options]: OptionsArg<'GET', P>): Promise<Download> {
    const response = await this.exchange('GET', path, (options ?? {}) as RawOptions, null, accept);
    if (!response.ok) throw await ApiProblem.fromResponse(response);
    try {
      return { blob: await response.blob(), filename: dispositionFilename(response.headers.get('Content-Disposition')) };
    } catch (cause) {
      throw ApiProblem.network(cause);
    }
  }

  /** Sends with the session's token; an expired one is refreshed and the call sent once more. */
  private async exchange(method: Method, path: string, opts: RawOptions, etag: string | null, accept = 'application/json'): Promise<Response> {
    const useSession = opts.auth !== false && opts.bearer === undefined && this.hooks !== null;
    const sent = useSession ? this.hooks!.token() : (opts.bearer ?? null);
    let response = await this.send(method, path, opts, sent, etag, accept);
    if (response.status === 401 && useSession) {
      const problem = await ApiProblem.fromResponse(response);
      if (problem.code !== 'token_expired') {
        if (sent !== null) this.hooks!.ended();
        throw problem;
      }
      // Another caller may have refreshed while this one was in flight.
      if (this.hooks!.token() === sent && !(await this.hooks!.refresh())) throw problem;
      response = await this.send(method, path, opts, this.hooks!.token(), etag, accept);
      if (response.status === 401) {
        this.hooks!.ended();
        throw await ApiProblem.fromResponse(response);
      }
    }
    return response;
  }

  private async send(method: Method, path: string, o: RawOptions, token: string | null, etag: string | null, accept: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (etag) headers['If-None-Match'] = etag;
    let body: BodyInit | undefined;
    if (o.form !== undefined) {
      body = toFormData(o.form);
    } else if (o.raw !== undefined) {
      headers['Content-Type'] = o.raw.type;
      body = o.raw.content;
    } else if (o.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(o.body);
    }
    const url = buildUrl(path, o.path, o.query);
    try {
      // A conditional GET bypasses the browser's cache, so that its 304 reaches the caller.
      const cache: RequestCache | undefined = etag ? 'no-store' : undefined;
      return await this.fetcher(url, { method, headers, body, credentials: 'same-origin', signal: o.signal, ...(cache ? { cache } : {}), ...(o.keepalive ? { keepalive: true } : {}) });
    } catch (cause) {
      throw ApiProblem.network(cause);
    }
  }
}

export function buildUrl(template: string, path?: Record<string, unknown>, query?: Record<string, unknown>): string {
  const filled = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = path?.[name];
    if (value === undefined || value === null) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  const present = (value: unknown) => value !== undefined && value !== null && value !== '';
  for (const [key, value] of Object.entries(query ?? {})) {
    // A list is the parameter repeated (`?tag=a&tag=b`), as the API reads it.
    if (Array.isArray(value)) for (const item of value.filter(present)) search.append(key, String(item));
    else if (present(value)) search.set(key, String(value));
  }
  const qs = search.toString();
  return qs ? `${filled}?${qs}` : filled;
}

/** The file name a `Content-Disposition` header gives: `filename*` (RFC 5987, UTF-8) over
 * `filename`; any folder in it dropped. */
export function dispositionFilename(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*utf-8'[^']*'([^;\s]+)/i.exec(header);
  let name: string | null = null;
  if (extended?.[1]) {
    try {
      name = decodeURIComponent(extended[1].trim());
    } catch {
      name = null;
    }
  }
  if (name === null) {
    const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
    name = plain ? (plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : (plain[2] ?? '').trim()) : null;
  }
  const base = name?.split(/[\\/]/).pop()?.trim();
  return base ? base : null;
}

function toFormData(fields: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (value instanceof File) form.append(key, value, value.name);
    else if (value instanceof Blob) form.append(key, value);
    else form.append(key, String(value));
  }
  return form;
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiProblem({ status: response.status, code: 'unexpected_response' });
  }
}
