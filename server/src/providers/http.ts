import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { AppError } from '../http/errors.js';
import {
  PROVIDER_DRAIN_MS,
  PROVIDER_ERROR_BODY_MAX_BYTES,
  PROVIDER_FIRST_BYTE_TIMEOUT_MS,
  PROVIDER_JSON_MAX_BYTES,
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
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.code ?? e.message ?? String(err);
}

/**
 * Sends the request with node:http(s) (per chunk it costs about half of what fetch and its web
 * streams cost, which matters when a hundred streams relay tokens at once) and resolves with the
 * response head. `onRequest` receives the request at once, so it can be destroyed while we wait.
 */
function open(call: UpstreamCall, onRequest: (request: ClientRequest) => void): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const url = new URL(call.url);
    const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!client) throw new Error(`unsupported protocol ${url.protocol}`);
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const request = client.request(url, {
      method: call.method,
      headers: {
        accept: 'application/json, text/event-stream',
        ...(body !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        ...call.headers,
      },
    });
    onRequest(request);
    // Not `once`: a request destroyed after it failed may report again, and an unheard 'error' would crash.
    request.on('error', reject);
    request.once('response', (response: IncomingMessage) => {
      // Read errors reach the reader through its iterator; this keeps a late one from going unheard.
      response.on('error', () => undefined);
      resolve(response);
    });
    request.end(body);
  });
}

/**
 * Reads and drops what is left of a response its reader no longer wants, so its kept-alive
 * connection can serve the next call; one that has not ended within PROVIDER_DRAIN_MS is
 * closed (a model still generating costs tokens).
 */
async function drain(res: IncomingMessage, stopIterating: () => unknown, close: () => void): Promise<void> {
  await stopIterating();
  if (res.complete) {
    res.resume();
    return;
  }
  const timer = setTimeout(close, PROVIDER_DRAIN_MS);
  res.once('close', () => clearTimeout(timer));
  res.resume();
}

/**
 * The body of a 2xx answer, as items decoded from its chunks. Two clocks guard it: until the
 * first body byte (`firstByteTimeoutMs`) and between chunks (`stallTimeoutMs`); they run only
 * while we wait on the network, never while the consumer handles a chunk. A non-2xx answer
 * throws the error of its status with the provider's message; a redirect is not followed. The
 * caller's signal closes the connection at once; leaving the loop early lets the rest of the
 * answer arrive for up to PROVIDER_DRAIN_MS (the connection is then reused) and closes it after
 * that; an item that fails to decode closes it at once.
 * `decode` turns each chunk into the items yielded (none, one or several) and `end` gives the
 * last ones once the body is complete: a reader of SSE events gets them from this one generator,
 * not from a second one stacked on it (each layer costs every token a round of promises).
 */
async function* bodyItems<T>(call: UpstreamCall, decode: (chunk: Buffer) => readonly T[], end: () => readonly T[] = () => []): AsyncGenerator<T> {
  const { ctx } = call;
  const firstByteMs = call.firstByteTimeoutMs ?? PROVIDER_FIRST_BYTE_TIMEOUT_MS;
  const stallMs = call.stallTimeoutMs ?? PROVIDER_STALL_TIMEOUT_MS;
  if (call.signal?.aborted) throw aborted(ctx);
  let request: ClientRequest | undefined;
  let finished = false;
  const cancel = () => request?.destroy();
  call.signal?.addEventListener('abort', cancel, { once: true });
  // One timer per call, re-armed with refresh() for each chunk rather than replaced: a timer made
  // and cleared per token was ~7% of a relayed token's CPU. While the consumer holds a chunk the
  // clock is off (`waitingFor` undefined), and a timer that fires then does nothing.
  let timer: NodeJS.Timeout | undefined;
  let timerMs = 0;
  let waitingFor: string | undefined;
  let expired: string | undefined;
  const arm = (ms: number, what: string) => {
    waitingFor = what;
    if (timer && timerMs === ms) {
      timer.refresh();
      return;
    }
    clearTimeout(timer);
    timerMs = ms;
    timer = setTimeout(() => {
      if (waitingFor === undefined) return;
      expired = waitingFor;
      cancel();
    }, ms);
  };
  const disarm = () => (waitingFor = undefined);
  // Classifies a failure: our clock, our caller, or the network.
  const failure = (err: unknown, midStream: boolean): AppError => {
    if (expired) return timeout(ctx, expired);
    if (call.signal?.aborted) return aborted(ctx);
    if (err instanceof AppError) return err;
    const detail = redactKey(describe(err), ctx.key);
    return midStream ? badStream(ctx, `the connection broke mid-answer (${detail})`) : unreachable(ctx, call.url, detail);
  };

  let res: IncomingMessage | undefined;
  let stop: () => unknown = () => undefined;
  let atYield = false;
  try {
    arm(firstByteMs, `no response within ${firstByteMs} ms`);
    try {
      res = await open(call, (r) => (request = r));
    } catch (err) {
      throw failure(err, false);
    }
    // Not destroyed on return: a reader that leaves early may let the rest arrive (see `drain`).
    const chunks = res.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
    stop = () => chunks.return?.();
    const read = async (): Promise<IteratorResult<Buffer>> => {
      try {
        return await chunks.next();
      } catch (err) {
        throw failure(err, true);
      }
    };
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400) {
      throw unreachable(ctx, call.url, `it redirects (HTTP ${status}) to ${redactKey(res.headers.location ?? 'nowhere', ctx.key)}; use the final address as the base URL`);
    }
    if (status < 200 || status >= 300) {
      const parts: Buffer[] = [];
      let size = 0;
      for (let r = await read(); !r.done && size < PROVIDER_ERROR_BODY_MAX_BYTES; r = await read()) {
        parts.push(r.value);
        size += r.value.byteLength;
        arm(stallMs, `the error body stalled for ${stallMs} ms`);
      }
      const text = Buffer.concat(parts).toString('utf8').slice(0, PROVIDER_ERROR_BODY_MAX_BYTES);
      const retryAfter = res.headers['retry-after'];
      throw fromStatus(ctx, status, redactKey(messageOf(text), ctx.key), retryAfter ?? null);
    }

    const stalled = `no data for ${stallMs} ms mid-answer`;
    let first = true;
    for (;;) {
      if (!first) arm(stallMs, stalled);
      let r: IteratorResult<Buffer>;
      try {
        r = await chunks.next(); // not through read(): one async call less per chunk
      } catch (err) {
        throw failure(err, true);
      }
      disarm();
      first = false;
      if (r.done) {
        finished = true;
        for (const item of end()) yield item;
        return;
      }
      const items = decode(r.value);
      atYield = true;
      for (const item of items) yield item;
      atYield = false;
    }
  } finally {
    disarm();
    clearTimeout(timer);
    call.signal?.removeEventListener('abort', cancel);
    // The reader left the loop (an OpenAI stream is left at `[DONE]`, just before its end):
    // let the rest arrive so the connection goes back to the pool. Any other exit closes it.
    if (!finished && atYield && res && !call.signal?.aborted) void drain(res, stop, cancel);
    else if (!finished) cancel();
  }
}

/** The events of a `text/event-stream` answer, parsed with eventsource-parser. Comments (keep-alives) are skipped. */
export function sseEvents(call: UpstreamCall): AsyncGenerator<EventSourceMessage> {
  let pending: EventSourceMessage[] = [];
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
  const parsed = (text: string): EventSourceMessage[] => {
    parser.feed(text);
    if (overflow) throw badStream(call.ctx, `an event exceeded ${PROVIDER_SSE_MAX_BUFFER_CHARS} characters`);
    const events = pending;
    pending = [];
    return events;
  };
  return bodyItems(
    call,
    (chunk) => parsed(decoder.decode(chunk, { stream: true })),
    () => parsed(decoder.decode()),
  );
}

/** A JSON answer, parsed; a body over PROVIDER_JSON_MAX_BYTES (bytes, not characters) is refused. */
export async function requestJson(call: UpstreamCall): Promise<unknown> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyItems(call, (c) => [c])) {
    size += chunk.byteLength;
    if (size > PROVIDER_JSON_MAX_BYTES) throw badStream(call.ctx, `the answer exceeded ${PROVIDER_JSON_MAX_BYTES} bytes`);
    parts.push(chunk);
  }
  const text = Buffer.concat(parts).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw badStream(call.ctx, `expected JSON, got ${JSON.stringify(redactKey(text.slice(0, 120), call.ctx.key))}`);
  }
}
