/**
 * Reads a server-sent-event stream answered to a POST (EventSource can only GET), or to a GET
 * read the same way. The server writes `data: <json>\n\n` per event (SPEC §6);
 * eventsource-parser handles events split across network chunks.
 */
import { createParser } from 'eventsource-parser';
import type { Event } from '$wire/contract';
import { ApiError, buildInit, NO_STREAM_CODE, send, urlOf, type CallOptions, type PathOf, type RequestOptions, type RouteAt } from './api';

/** What reading a stream needs besides the request: the request's options and the event callback. */
interface StreamOptions<E> extends RequestOptions {
  /** Called once per event, in order. */
  onEvent: (event: E) => void;
}

/** Options of one streaming call of a route: its params, query and body, and what to do with each event. */
export type StreamCallOptions<C> = CallOptions<C> & { onEvent: (event: Event<C>) => void };

/**
 * POSTs to a route of the table (server/src/wire/routes/) and calls `onEvent` with each of its
 * typed events until the server ends the stream; a non-2xx answer rejects with ApiError first.
 */
export async function postStream<P extends PathOf<'POST'>>(path: P, options: StreamCallOptions<RouteAt<'POST', P>>): Promise<void> {
  const { body, signal } = options as { body?: unknown; signal?: AbortSignal };
  await readStream(urlOf(path, options), buildInit('POST', body, signal), options as StreamOptions<unknown>);
}

/** GETs a streaming route of the table (a re-subscription to something under way), like `postStream`. */
export async function getStream<P extends PathOf<'GET'>>(path: P, options: StreamCallOptions<RouteAt<'GET', P>>): Promise<void> {
  await readStream(urlOf(path, options), buildInit('GET', undefined, (options as { signal?: AbortSignal }).signal), options as StreamOptions<unknown>);
}

async function readStream<E>(path: string, init: RequestInit, options: StreamOptions<E>): Promise<void> {
  init.headers = { ...init.headers, Accept: 'text/event-stream' };
  const response = await send(path, init, options);
  if (!response.body) throw new ApiError(response.status, { error: 'The server answered without a stream', code: NO_STREAM_CODE });
  let parseError: unknown;
  const parser = createParser({
    onEvent(message) {
      if (parseError !== undefined) return;
      try {
        options.onEvent(JSON.parse(message.data) as E);
      } catch (err) {
        parseError = err;
      }
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(value);
      if (parseError !== undefined) throw parseError;
    }
  } catch (err) {
    // Stop the download too: a stream we no longer read must not keep the server working.
    await reader.cancel().catch(() => undefined);
    throw err;
  }
}
