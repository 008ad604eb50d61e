/**
 * The shape of one route's contract: method, path, and the zod schemas of what goes in and what
 * comes out. Each capability lists its contracts in `wire/routes/<capability>.ts`; the server
 * registers its handlers against them (`Api.route`), the OpenAPI document is generated from them,
 * and the studio's client takes its types from them (`wire/routes/index.ts`). Types only: the
 * studio imports this module without loading zod.
 */
import type { z } from 'zod';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One route. A route answers JSON (`response`), streams SSE (`events`), or offers both (`?stream=true`). */
export interface Contract {
  readonly method: Method;
  /** Express path, e.g. `/api/conversations/:id`. */
  readonly path: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly params?: z.ZodType;
  /** The 2xx JSON body; `NoContentSchema` for a 204. */
  readonly response?: z.ZodType;
  /** One event of the SSE stream, besides the `{done}` and `{error, code}` every stream may send. */
  readonly events?: z.ZodType;
  /** The 2xx body is a file of these media types (a download or an image), which the handler writes itself. */
  readonly file?: readonly string[];
}

type Schema<C, K extends 'body' | 'query' | 'params' | 'response' | 'events'> = C extends { readonly [P in K]: infer S extends z.ZodType } ? S : undefined;

/** What the handler receives (`z.output`) or the client sends (`z.input`) for one part of a request. */
export type Received<C, K extends 'body' | 'query' | 'params'> = Schema<C, K> extends z.ZodType ? z.output<Schema<C, K>> : undefined;
export type Sent<C, K extends 'body' | 'query' | 'params'> = Schema<C, K> extends z.ZodType ? z.input<Schema<C, K>> : undefined;

/** The JSON body a handler returns (before the schema's transforms) and the client reads (after). */
export type Returned<C> = Schema<C, 'response'> extends z.ZodType ? z.input<Schema<C, 'response'>> : undefined;
export type Answer<C> = Schema<C, 'response'> extends z.ZodType ? z.output<Schema<C, 'response'>> : undefined;

/** One SSE event as the handler sends it and as the client reads it. */
export type EventSent<C> = Schema<C, 'events'> extends z.ZodType ? z.input<Schema<C, 'events'>> : never;
export type Event<C> = Schema<C, 'events'> extends z.ZodType ? z.output<Schema<C, 'events'>> | StreamEnd : never;

/** How every stream may end besides its own events: `{done:"true"}`, or one `{error, code}` first. */
export type StreamEnd = { done: 'true' } | { error: string; code: string };
