import type { Response } from 'express';
import type { StreamEnd } from '../wire/contract.js';
import { clientGone } from './disconnect.js';

/**
 * A `text/event-stream` writer: `data: <json>\n\n` per event (SPEC §6), aware of client
 * disconnects. `E` is the route's event type; `{done}` and `{error, code}` end any stream.
 */
export class SseWriter<E = object> {
  readonly #res: Response;
  readonly #abort = new AbortController();
  readonly #check: ((event: unknown) => unknown) | undefined;

  /** `check` (tests) may replace an event that does not match the route's schema. */
  constructor(res: Response, check?: (event: unknown) => unknown) {
    this.#res = res;
    this.#check = check;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    // `close` on the response fires when the client goes away before we end (or already has).
    if (clientGone(res)) this.#abort.abort();
    res.on('close', () => {
      if (!res.writableFinished) this.#abort.abort();
    });
  }

  /** Aborted when the client disconnects; pass it to upstream requests and tools. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Sends one event unless the client is gone. */
  send(event: E | StreamEnd): void {
    if (this.#abort.signal.aborted || this.#res.writableEnded) return;
    const sent = this.#check ? this.#check(event) : event;
    this.#res.write(`data: ${JSON.stringify(sent)}\n\n`);
  }

  /** Sends `{done:"true"}` and ends the stream. */
  done(): void {
    this.send({ done: 'true' });
    if (!this.#res.writableEnded) this.#res.end();
  }
}
