/**
 * The typed HTTP client of the studio. Every request goes through `request`, which sends the
 * session cookie, marks state-changing requests as JSON (the server refuses anything else with
 * 415, which is what keeps cross-site "simple" requests out), and turns non-2xx answers into
 * one error type.
 */
import type { Answer, Sent } from '$wire/contract';
import type { ApiError as ApiErrorBody, ErrorCode } from '$wire/errors';
import type { RouteMap } from '$wire/routes/index';
import { t } from './i18n.svelte';

/** One field the server refused, as in a 400 VALIDATION_FAILED answer. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Code used when the server could not be reached at all (no HTTP status). */
export const NETWORK_ERROR_CODE = 'NETWORK';
/** Code used when a streaming answer came without a body to read. */
export const NO_STREAM_CODE = 'NO_STREAM';

/** A request that did not succeed: the server's `{error, code, issues}` plus the HTTP status (0: unreachable). */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: ErrorCode;
  readonly issues: FieldIssue[];

  constructor(status: number, body: ApiErrorBody) {
    super(body.error);
    this.status = status;
    this.code = body.code;
    this.issues = body.issues ?? [];
  }

  /** The server's human message (same as `message`, named as on the wire). */
  get error(): string {
    return this.message;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let onUnauthorized: (() => void) | undefined;

/** Registers what happens when a request answers 401 UNAUTHORIZED (the app shows the sign-in screen). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** Options of one request. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** A 401 is an expected answer here (the sign-in form): do not sign the whole app out. */
  expectUnauthorized?: boolean;
}

/** Builds the fetch init: cookie credentials, and a JSON body on every state-changing method. */
export function buildInit(method: string, body: unknown, signal?: AbortSignal): RequestInit {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (signal) init.signal = signal;
  if (STATE_CHANGING.has(method)) {
    init.headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    // Body-less writes still send `{}`: the server wants JSON on every write.
    init.body = JSON.stringify(body ?? {});
  }
  return init;
}

/** Turns a failed response into an ApiError, whatever its body looks like. */
async function errorFrom(response: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> = {};
  try {
    body = (await response.json()) as Partial<ApiErrorBody>;
  } catch {
    // Not JSON (a proxy page, an empty body): fall back to the status line.
  }
  return new ApiError(response.status, {
    error: typeof body.error === 'string' ? body.error : `${response.status} ${response.statusText}`.trim(),
    code: typeof body.code === 'string' ? body.code : 'HTTP_' + response.status,
    ...(Array.isArray(body.issues) ? { issues: body.issues } : {}),
  });
}

/** fetch, with an unreachable server reported as ApiError (status 0) and a failed answer as ApiError (status, code). */
export async function send(path: string, init: RequestInit, options: RequestOptions = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, { error: 'The Atelier server cannot be reached', code: NETWORK_ERROR_CODE });
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    // Only the Atelier session failing signs the studio out; other 401s (an SSH server refusing
    // a login: SSH_AUTH_FAILED) are answers about something else.
    if (response.status === 401 && error.code === 'UNAUTHORIZED' && !options.expectUnauthorized) onUnauthorized?.();
    throw error;
  }
  return response;
}

/** Sends one request; resolves with the parsed JSON (undefined for 204), rejects with ApiError. */
async function request(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<unknown> {
  const response = await send(path, buildInit(method, body, options.signal), options);
  if (response.status === 204) return undefined;
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** The paths (`/api/conversations/:id`) the route table has for a method. */
export type PathOf<M extends Method> = keyof RouteMap extends infer K ? (K extends `${M} ${infer P}` ? P : never) : never;
/** The contract of `METHOD path`. */
export type RouteAt<M extends Method, P extends string> = RouteMap[`${M} ${P}` & keyof RouteMap];

type ParamsPart<C> = Sent<C, 'params'> extends undefined ? { params?: never } : { params: Sent<C, 'params'> };
type QueryPart<C> = Sent<C, 'query'> extends undefined ? { query?: never } : { query?: Sent<C, 'query'> };
// A body whose fields are all optional (or that has none) may be left out: the client sends `{}`.
type BodyPart<C> = Sent<C, 'body'> extends undefined ? { body?: never } : {} extends Sent<C, 'body'> ? { body?: Sent<C, 'body'> } : { body: Sent<C, 'body'> };
/** What one call of a route takes: its path params, query and body, typed by its contract. */
export type CallOptions<C> = RequestOptions & ParamsPart<C> & QueryPart<C> & BodyPart<C>;
/** The options argument, optional when nothing in it is required. */
export type CallArgs<C> = object extends CallOptions<C> ? [options?: CallOptions<C>] : [options: CallOptions<C>];

/** `path` with its `:params` filled in (encoded) and `query` appended; undefined query values are left out. */
export function urlOf(path: string, options: unknown = {}): string {
  const { params: given, query } = options as { params?: object; query?: object };
  const params = (given ?? {}) as Record<string, unknown>;
  const filled = path.replace(/:(\w+)/g, (_, name: string) => {
    if (params[name] === undefined) throw new Error(`${path}: no value for :${name}`);
    return encodeURIComponent(String(params[name]));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(key, String(value));
  const encoded = search.toString();
  return encoded ? `${filled}?${encoded}` : filled;
}

/** The URL of a GET route for a link or a download (a file answer), typed like a call. */
export function hrefOf<P extends PathOf<'GET'>>(path: P, ...[options]: CallArgs<RouteAt<'GET', P>>): string {
  return urlOf(path, options);
}

/** What every call's options have in common, whatever its route (the generic types narrow it at the call site). */
type AnyCallOptions = RequestOptions & { params?: object; query?: object; body?: unknown };

function call(method: Method, path: string, options: unknown): Promise<unknown> {
  const given = (options ?? {}) as AnyCallOptions;
  return request(method, urlOf(path, given), given.body, given);
}

/**
 * The client of the route table (server/src/wire/routes/): name a route by its method and path
 * as the server declares it, pass its params, query and body, and get its answer's type.
 */
export const api = {
  get: <P extends PathOf<'GET'>>(path: P, ...[options]: CallArgs<RouteAt<'GET', P>>) => call('GET', path, options) as Promise<Answer<RouteAt<'GET', P>>>,
  post: <P extends PathOf<'POST'>>(path: P, ...[options]: CallArgs<RouteAt<'POST', P>>) => call('POST', path, options) as Promise<Answer<RouteAt<'POST', P>>>,
  put: <P extends PathOf<'PUT'>>(path: P, ...[options]: CallArgs<RouteAt<'PUT', P>>) => call('PUT', path, options) as Promise<Answer<RouteAt<'PUT', P>>>,
  patch: <P extends PathOf<'PATCH'>>(path: P, ...[options]: CallArgs<RouteAt<'PATCH', P>>) => call('PATCH', path, options) as Promise<Answer<RouteAt<'PATCH', P>>>,
  delete: <P extends PathOf<'DELETE'>>(path: P, ...[options]: CallArgs<RouteAt<'DELETE', P>>) => call('DELETE', path, options) as Promise<Answer<RouteAt<'DELETE', P>>>,
};

/** A message fit for the user, whatever was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError && err.code === NETWORK_ERROR_CODE) return t('errors.network');
  if (err instanceof ApiError && err.code === NO_STREAM_CODE) return t('errors.no_stream');
  if (err instanceof Error) return err.message;
  return String(err);
}
