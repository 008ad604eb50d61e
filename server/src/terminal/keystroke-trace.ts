import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** One keystroke's way through the server, in ms from the frame's arrival. */
export interface KeystrokeTiming {
  /** When the frame arrived, in ms since the epoch (to line the trace up with a client's clock or a GC log). */
  at: number;
  /** The input frame parsed and validated, written to the PTY. */
  written: number;
  /** Its echo read back from the PTY (the first small read after it). */
  read: number;
  /** The echo's frame handed to the sockets. */
  flushed: number;
  /** The frame written out to the first viewer's socket. */
  sent: number;
  /** The event loop turn: the read came within a coalescing window opened by bulk output. */
  coalesced: boolean;
}

interface Pending {
  in: number;
  written: number;
  read?: number;
  flushed?: number;
  coalesced?: boolean;
}

/** Lines are written once the typing has paused this long, so tracing adds no write (and no thread-pool hop) to a keystroke's path. */
const TRACE_FLUSH_AFTER_MS = 250;
/** …or once this many have collected. */
const TRACE_FLUSH_LINES = 5000;

/**
 * Timestamps along a keystroke's path (WS frame in → PTY write → PTY read → frame out → socket
 * written), one JSON line per keystroke appended to a file. Off unless ATELIER_TERMINAL_TRACE
 * names the file; the benchmark reads it to tell which step holds the slow echoes. Only one
 * keystroke per session is followed at a time: another typed before the echo came replaces it.
 */
export class KeystrokeTrace {
  readonly #file: string;
  #pending: Pending | null = null;
  #lines: string[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(file: string) {
    this.#file = file;
  }

  /** The frame arrived at `arrivedAt` (performance.now()) and was written to the PTY now. */
  input(arrivedAt: number): void {
    this.#pending = { in: arrivedAt, written: performance.now() };
  }

  /** A read from the PTY; `batched` when it joined a frame already waiting. */
  read(bytes: number, batched: boolean): void {
    const p = this.#pending;
    if (!p || p.read !== undefined || bytes > 256) return;
    p.read = performance.now();
    p.coalesced = batched;
  }

  /** The frame with the echo goes to the sockets; the returned function marks it written. */
  flushed(): (() => void) | undefined {
    const p = this.#pending;
    if (!p || p.read === undefined || p.flushed !== undefined) return undefined;
    p.flushed = performance.now();
    this.#pending = null;
    return () => {
      const micros = (ms: number): number => Math.round(ms * 1000) / 1000;
      const since = (t: number): number => micros(t - p.in);
      const line: KeystrokeTiming = { at: micros(performance.timeOrigin + p.in), written: since(p.written), read: since(p.read!), flushed: since(p.flushed!), sent: since(performance.now()), coalesced: p.coalesced ?? false };
      this.#lines.push(`${JSON.stringify(line)}\n`);
      if (this.#lines.length >= TRACE_FLUSH_LINES) return this.#flush();
      (this.#timer ??= setTimeout(() => this.#flush(), TRACE_FLUSH_AFTER_MS).unref()).refresh();
    };
  }

  close(): void {
    this.#flush();
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#lines.length === 0) return;
    const text = this.#lines.join('');
    this.#lines = [];
    appendFileSync(this.#file, text);
  }
}

/** The trace file the environment asks for, if any. */
export function keystrokeTraceFile(): string | undefined {
  return process.env.ATELIER_TERMINAL_TRACE || undefined;
}
