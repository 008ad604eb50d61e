import { AppError } from '../http/errors.js';

/**
 * Errors of a provider call. Upstream failures answer 502/504 (never 401: a client would take
 * it for its own Atelier token being refused); a rate limit stays 429 and carries Retry-After.
 */
export class ProviderError extends AppError {
  constructor(
    status: number,
    code: string,
    message: string,
    /** Seconds the provider asked us to wait (its Retry-After), for 429s. */
    readonly retryAfterS?: number,
    /** The provider's own HTTP status, when it answered one. */
    readonly upstreamStatus?: number,
  ) {
    super(status, code, message);
    this.name = 'ProviderError';
  }
}

/** What the messages name: the provider's label and, to scrub it from quoted text, its key. */
export interface ErrorContext {
  label: string;
  key: string;
}

/** Removes the key from text a provider sent back (some echo part of it; none should echo all of it). */
export function redactKey(text: string, key: string): string {
  return key.length >= 4 ? text.split(key).join('***') : text;
}

/** The response was refused for its credentials. */
export function unauthorized(ctx: ErrorContext, status: number, detail: string): ProviderError {
  return new ProviderError(502, 'PROVIDER_UNAUTHORIZED', `${ctx.label} refused the API key (HTTP ${status})${detail ? `: ${detail}` : ''}`, undefined, status);
}

/** The provider is rate limiting us. */
export function rateLimited(ctx: ErrorContext, retryAfterS: number | undefined, detail: string): ProviderError {
  const wait = retryAfterS === undefined ? '' : `; retry after ${retryAfterS} s`;
  return new ProviderError(429, 'PROVIDER_RATE_LIMITED', `${ctx.label} is rate limiting requests${wait}${detail ? `: ${detail}` : ''}`, retryAfterS, 429);
}

/** The provider failed (5xx, or an error event inside the stream). */
export function upstreamError(ctx: ErrorContext, status: number | undefined, detail: string): ProviderError {
  const where = status === undefined ? 'reported an error' : `failed (HTTP ${status})`;
  return new ProviderError(502, 'PROVIDER_ERROR', `${ctx.label} ${where}${detail ? `: ${detail}` : ''}`, undefined, status);
}

/** The provider refused the request itself (4xx other than auth and rate limit): unknown model, bad parameter, wrong path. */
export function badRequest(ctx: ErrorContext, status: number, detail: string): ProviderError {
  return new ProviderError(502, 'PROVIDER_BAD_REQUEST', `${ctx.label} rejected the request (HTTP ${status})${detail ? `: ${detail}` : ''}`, undefined, status);
}

/** The answer could not be understood: not SSE, not JSON, or cut short. */
export function badStream(ctx: ErrorContext, detail: string): ProviderError {
  return new ProviderError(502, 'PROVIDER_BAD_STREAM', `${ctx.label} sent a malformed response: ${detail}`);
}

/** Nothing arrived in time. */
export function timeout(ctx: ErrorContext, detail: string): ProviderError {
  return new ProviderError(504, 'PROVIDER_TIMEOUT', `${ctx.label} timed out: ${detail}`);
}

/** The provider could not be reached at all (DNS, refused connection, TLS). */
export function unreachable(ctx: ErrorContext, url: string, detail: string): ProviderError {
  return new ProviderError(502, 'PROVIDER_UNREACHABLE', `Cannot reach ${ctx.label} at ${url}: ${detail}`);
}

/** Our caller cancelled (client disconnected, stop button). */
export function aborted(ctx: ErrorContext): AppError {
  return new AppError(400, 'REQUEST_ABORTED', `The request to ${ctx.label} was cancelled`);
}

/** Maps an HTTP error status to the error of its kind. */
export function fromStatus(ctx: ErrorContext, status: number, detail: string, retryAfter: string | null): ProviderError {
  if (status === 401 || status === 403) return unauthorized(ctx, status, detail);
  if (status === 429) return rateLimited(ctx, parseRetryAfter(retryAfter), detail);
  if (status >= 500) return upstreamError(ctx, status, detail);
  return badRequest(ctx, status, detail);
}

/** Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The human message inside a provider's error body, whatever its dialect: OpenAI and Anthropic
 * `{error:{message}}`, Ollama `{error:"…"}`, Z.AI `{msg}`, MiniMax `{base_resp:{status_msg}}`.
 */
export function messageOf(body: string): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return body.replace(/\s+/g, ' ').trim().slice(0, 300);
  }
  const o = (json ?? {}) as Record<string, any>;
  const candidates = [o.error?.message, o.error, o.message, o.msg, o.base_resp?.status_msg, o.detail];
  const found = candidates.find((c) => typeof c === 'string' && c.length > 0) as string | undefined;
  return (found ?? body.trim()).slice(0, 300);
}
