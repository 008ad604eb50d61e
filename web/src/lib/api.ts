/**
 * The typed HTTP client of the studio. Every request goes through `request`, which sends the
 * session cookie, marks state-changing requests as JSON (the server refuses anything else with
 * 415, which is what keeps cross-site "simple" requests out), and turns non-2xx answers into
 * one error type.
 */
import type { ApiError as ApiErrorBody, ErrorCode } from '$wire/errors';
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
export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, buildInit(method, body, options.signal), options);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Shorthands for the HTTP methods. */
export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, body, options),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, body, options),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PATCH', path, body, options),
  delete: <T = void>(path: string, options?: RequestOptions) => request<T>('DELETE', path, undefined, options),
};

/** A message fit for the user, whatever was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError && err.code === NETWORK_ERROR_CODE) return t('errors.network');
  if (err instanceof ApiError && err.code === NO_STREAM_CODE) return t('errors.no_stream');
  if (err instanceof Error) return err.message;
  return String(err);
}
