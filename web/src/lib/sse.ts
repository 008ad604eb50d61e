/**
 * Reads a server-sent-event stream answered to a POST (EventSource can only GET), or to a GET
 * read the same way. The server writes `data: <json>\n\n` per event (SPEC §6);
 * eventsource-parser handles events split across network chunks.
 */
import { createParser } from 'eventsource-parser';
import { ApiError, buildInit, NO_STREAM_CODE, send, type RequestOptions } from './api';

/** Options of one streaming request. */
export interface StreamOptions<E> extends RequestOptions {
  /** Called once per event, in order. */
  onEvent: (event: E) => void;
}

/**
 * POSTs `body` to `path` and calls `onEvent` for each JSON event until the server ends the
 * stream. A non-2xx answer rejects with ApiError before any event, exactly like `request`.
 */
export async function postStream<E>(path: string, body: unknown, options: StreamOptions<E>): Promise<void> {
  await readStream(path, buildInit('POST', body, options.signal), options);
}

/**
 * GETs `path` as a stream (a re-subscription to something already under way) and calls
 * `onEvent` for each JSON event until the server ends it; fails like `postStream`.
 */
export async function getStream<E>(path: string, options: StreamOptions<E>): Promise<void> {
  await readStream(path, buildInit('GET', undefined, options.signal), options);
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
