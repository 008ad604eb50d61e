import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { AppError } from '../http/errors.js';
import {
  PROVIDER_ERROR_BODY_MAX_BYTES,
  PROVIDER_FIRST_BYTE_TIMEOUT_MS,
  PROVIDER_SSE_MAX_BUFFER_CHARS,
  PROVIDER_STALL_TIMEOUT_MS,
} from '../limits.js';
import { aborted, badStream, fromStatus, messageOf, redactKey, timeout, unreachable, type ErrorContext } from './errors.js';
import type { CallTimeouts } from './types.js';

/** One HTTP call to a provider. */
export interface UpstreamCall extends CallTimeouts {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  ctx: ErrorContext;
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/**
 * The body of a 2xx answer, chunk by chunk. Two clocks guard it: until the first body byte
 * (`firstByteTimeoutMs`) and between chunks (`stallTimeoutMs`); they run only while we wait on
 * the network, never while the consumer handles a chunk. A non-2xx answer throws the error of
 * its status with the provider's message. Leaving the loop early (or the caller's signal)
 * aborts the request, which closes the connection.
 */
async function* bodyChunks(call: UpstreamCall): AsyncGenerator<Uint8Array> {
  const { ctx } = call;
  const firstByteMs = call.firstByteTimeoutMs ?? PROVIDER_FIRST_BYTE_TIMEOUT_MS;
  const stallMs = call.stallTimeoutMs ?? PROVIDER_STALL_TIMEOUT_MS;
  if (call.signal?.aborted) throw aborted(ctx);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  call.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  let expired: string | undefined;
  const arm = (ms: number, what: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      expired = what;
      controller.abort();
    }, ms);
  };
  const disarm = () => clearTimeout(timer);
  // Classifies a failure: our clock, our caller, or the network.
  const failure = (err: unknown, midStream: boolean): AppError => {
    if (expired) return timeout(ctx, expired);
    if (call.signal?.aborted) return aborted(ctx);
    if (err instanceof AppError) return err;
    const detail = redactKey(describe(err), ctx.key);
    return midStream ? badStream(ctx, `the connection broke mid-answer (${detail})`) : unreachable(ctx, call.url, detail);
  };

  try {
    arm(firstByteMs, `no response within ${firstByteMs} ms`);
    let res: Response;
    try {
      res = await fetch(call.url, {
        method: call.method,
        headers: { accept: 'application/json, text/event-stream', ...(call.body !== undefined && { 'content-type': 'application/json' }), ...call.headers },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: controller.signal,
        redirect: 'error',
      });
    } catch (err) {
      throw failure(err, false);
    }
    if (!res.body) throw badStream(ctx, `HTTP ${res.status} without a body`);
    const reader = res.body.getReader();
    const read = async (): Promise<ReadableStreamReadResult<Uint8Array>> => {
      try {
        return await reader.read();
      } catch (err) {
        throw failure(err, true);
      }
    };

    if (!res.ok) {
      const parts: Uint8Array[] = [];
      let size = 0;
      for (let r = await read(); !r.done && size < PROVIDER_ERROR_BODY_MAX_BYTES; r = await read()) {
        parts.push(r.value);
        size += r.value.byteLength;
        arm(stallMs, `the error body stalled for ${stallMs} ms`);
      }
      const text = Buffer.concat(parts).toString('utf8').slice(0, PROVIDER_ERROR_BODY_MAX_BYTES);
      throw fromStatus(ctx, res.status, redactKey(messageOf(text), ctx.key), res.headers.get('retry-after'));
    }

    let first = true;
    for (;;) {
      if (!first) arm(stallMs, `no data for ${stallMs} ms mid-answer`);
      const r = await read();
      disarm();
      first = false;
      if (r.done) return;
      yield r.value;
    }
  } finally {
    disarm();
    call.signal?.removeEventListener('abort', onAbort);
    // A no-op once the body is read; otherwise it cancels the request and closes the socket.
    controller.abort();
  }
}

/** The events of a `text/event-stream` answer, parsed with eventsource-parser. Comments (keep-alives) are skipped. */
export async function* sseEvents(call: UpstreamCall): AsyncGenerator<EventSourceMessage> {
  const pending: EventSourceMessage[] = [];
  let overflow: string | undefined;
  const parser = createParser({
    onEvent: (event) => pending.push(event),
    // Unknown fields are ignored as the SSE spec says; an event too large to buffer is not.
    onError: (err) => {
      if (err.type === 'max-buffer-size-exceeded') overflow = err.message;
    },
    maxBufferSize: PROVIDER_SSE_MAX_BUFFER_CHARS,
  });
  const decoder = new TextDecoder();
  for await (const chunk of bodyChunks(call)) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (overflow) throw badStream(call.ctx, `an event exceeded ${PROVIDER_SSE_MAX_BUFFER_CHARS} characters`);
    while (pending.length > 0) yield pending.shift()!;
  }
  parser.feed(decoder.decode());
  while (pending.length > 0) yield pending.shift()!;
}

/** A JSON answer, parsed. */
export async function requestJson(call: UpstreamCall): Promise<unknown> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(call)) {
    size += chunk.byteLength;
    if (size > PROVIDER_SSE_MAX_BUFFER_CHARS) throw badStream(call.ctx, `the answer exceeded ${PROVIDER_SSE_MAX_BUFFER_CHARS} bytes`);
    parts.push(chunk);
  }
  const text = Buffer.concat(parts).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw badStream(call.ctx, `expected JSON, got ${JSON.stringify(redactKey(text.slice(0, 120), call.ctx.key))}`);
  }
}
