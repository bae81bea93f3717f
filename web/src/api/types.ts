/**
 * The HTTP contract as TypeScript types, derived from the types generated from the services'
 * OpenAPI documents, so that a change of the contract fails the build where it matters.
 */

import type { components as ControlComponents, paths as ControlPaths } from './control';
import type { components as AppComponents, paths as AppPaths } from './app';

type V1<P> = { [K in keyof P as K extends `/v1/${string}` ? K : never]: P[K] };

/** Every /v1 path of both planes: the tenant host serves them all from one origin. */
export type Paths = V1<ControlPaths> & V1<AppPaths>;

// Both planes share one origin, so a path may belong to one of them only.
type Shared = Extract<keyof V1<ControlPaths>, keyof V1<AppPaths>>;
const planesAreDisjoint: [Shared] extends [never] ? true : Shared = true;
void planesAreDisjoint;

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The paths that answer `M`. */
export type PathFor<M extends Method> = {
  [P in keyof Paths]: Paths[P] extends { [K in Lowercase<M>]: { responses: unknown } } ? P : never;
}[keyof Paths];

export type Operation<M extends Method, P extends PathFor<M>> = Paths[P][Lowercase<M> & keyof Paths[P]];

type Field<T, K extends PropertyKey> = T extends { [Q in K]?: infer V } ? V : undefined;
type Params<M extends Method, P extends PathFor<M>> = Field<Operation<M, P>, 'parameters'>;
type Content<T, Type extends string> = T extends { content: { [Q in Type]: infer B } } ? B : never;

export type PathParams<M extends Method, P extends PathFor<M>> = Field<Params<M, P>, 'path'>;
export type QueryParams<M extends Method, P extends PathFor<M>> = Field<Params<M, P>, 'query'>;

type RequestBodySpec<M extends Method, P extends PathFor<M>> = Field<Operation<M, P>, 'requestBody'>;
export type JsonBody<M extends Method, P extends PathFor<M>> = Content<NonNullable<RequestBodySpec<M, P>>, 'application/json'>;
type MultipartSchema<M extends Method, P extends PathFor<M>> = Content<NonNullable<RequestBodySpec<M, P>>, 'multipart/form-data'>;
/** The media types of a body sent as is (an iCalendar file, say): neither JSON nor a form. */
type RawType<M extends Method, P extends PathFor<M>> =
  NonNullable<RequestBodySpec<M, P>> extends { content: infer C } ? Exclude<keyof C, 'application/json' | 'multipart/form-data'> & string : never;

/** A multipart form as the app builds it: binary fields (`format: binary`) are files. */
export type MultipartBody<M extends Method, P extends PathFor<M>> = {
  [K in keyof MultipartSchema<M, P>]: MultipartSchema<M, P>[K] extends string ? Blob | string : MultipartSchema<M, P>[K];
};

type Success = 200 | 201 | 202 | 204;
type Responses<M extends Method, P extends PathFor<M>> = Field<Operation<M, P>, 'responses'>;

/** What a successful call resolves to (`undefined` for 204 No Content). */
export type ResponseBody<M extends Method, P extends PathFor<M>> = SuccessBody<Responses<M, P>>;

// Apart, on the responses alone: spelled out on `Responses<M, P>` itself, the checker works out
// the constraint of every path's every response at once, a union too large for it.
type SuccessBody<R> = {
  [S in keyof R & Success]: R[S] extends { content: { 'application/json': infer B } } ? B : undefined;
}[keyof R & Success];

type Has<T> = [T] extends [undefined] ? false : [T] extends [never] ? false : true;
type IsRequired<T, K extends PropertyKey> = T extends { [Q in K]-?: unknown } ? ({} extends Pick<T, K & keyof T> ? false : true) : false;

type PathPart<M extends Method, P extends PathFor<M>> =
  Has<PathParams<M, P>> extends true ? { path: NonNullable<PathParams<M, P>> } : { path?: undefined };
type QueryPart<M extends Method, P extends PathFor<M>> =
  Has<QueryParams<M, P>> extends true ? { query?: NonNullable<QueryParams<M, P>> } : { query?: undefined };
type BodyPart<M extends Method, P extends PathFor<M>> =
  Has<JsonBody<M, P>> extends true
    ? IsRequired<Operation<M, P>, 'requestBody'> extends true
      ? { body: JsonBody<M, P> }
      : { body?: JsonBody<M, P> }
    : { body?: undefined };
type FormPart<M extends Method, P extends PathFor<M>> =
  Has<MultipartSchema<M, P>> extends true ? { form: MultipartBody<M, P> } : { form?: undefined };
type RawPart<M extends Method, P extends PathFor<M>> =
  [RawType<M, P>] extends [never] ? { raw?: undefined } : { raw: RawBody<RawType<M, P>> };

/** A body sent as it is, with its media type (one the contract names for the path). */
export interface RawBody<T extends string = string> {
  type: T;
  content: string | Blob;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** `false` for the calls that must not carry the session's token (login, refresh). */
  auth?: boolean;
  /** A token other than the session's (accepting an invitation with another account). */
  bearer?: string;
  /** Sent even as the page goes away (leaving a ticket's page by closing the tab). */
  keepalive?: boolean;
}

export type Options<M extends Method, P extends PathFor<M>> = PathPart<M, P> & QueryPart<M, P> & BodyPart<M, P> & FormPart<M, P> & RawPart<M, P> & CallOptions;

type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];
/** The options argument, optional when nothing in it is required. */
export type OptionsArg<M extends Method, P extends PathFor<M>> =
  [RequiredKeys<Options<M, P>>] extends [never] ? [options?: Options<M, P>] : [options: Options<M, P>];

export type ControlSchemas = ControlComponents['schemas'];
export type AppSchemas = AppComponents['schemas'];
