/**
 * The client half of terminal flow control: tell the server how many output bytes xterm has
 * consumed, so it keeps reading the process (see FLOW_CONTROL in terminal-limits.ts). Here, in the
 * wire folder, so the studio and the terminal benchmark's client ack in one and the same way.
 */
import { FLOW_CONTROL } from './terminal-limits.js';

/** Counts consumed bytes and sends one ack per FLOW_CONTROL.ACK_EVERY_BYTES, or after FLOW_CONTROL.ACK_IDLE_MS of quiet. */
export class AckBatcher {
  readonly #send: (bytes: number) => void;
  #pending = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;

  /** `send` delivers one `{type:"ack", data: bytes}` frame. */
  constructor(send: (bytes: number) => void) {
    this.#send = send;
  }

  /** Bytes not acknowledged yet. */
  get pending(): number {
    return this.#pending;
  }

  /** `bytes` more were written into the terminal (call from xterm's write callback). */
  consumed(bytes: number): void {
    if (bytes <= 0 || this.#disposed) return;
    this.#pending += bytes;
    if (this.#pending >= FLOW_CONTROL.ACK_EVERY_BYTES) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), FLOW_CONTROL.ACK_IDLE_MS);
  }

  /** Acknowledges whatever is pending now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending === 0) return;
    const bytes = this.#pending;
    this.#pending = 0;
    this.#send(bytes);
  }

  /** Stops: the socket is gone and a late ack would go nowhere. */
  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = 0;
  }
}
