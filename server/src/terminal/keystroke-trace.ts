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
  /** The frame handed to the first viewer's socket (written to the kernel unless that socket was backed up). */
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

const micros = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Lines are written once the typing has paused this long, so tracing adds no write (and no thread-pool hop) to a keystroke's path. */
const TRACE_FLUSH_AFTER_MS = 250;
/** …or once this many have collected. */
const TRACE_FLUSH_LINES = 5000;

/**
 * Timestamps along a keystroke's path (WS frame in → PTY write → PTY read → frame out → socket
 * written), one JSON line per keystroke appended to a file. Off unless ATELIER_TERMINAL_TRACE
 * names the file; the benchmark reads it to tell which step holds the slow echoes. Only one
 * keystroke per session is followed at a time: another typed before the echo came replaces it.
 * It adds no closure and no timer per keystroke to the path it times. It used to wrap each echo
 * frame's write callback in a closure and start a new timer per burst of typing. Traced that way,
 * the echo after a flood was 1.35–2.6× the minimal server's; untraced it is 0.82–1.15×, and
 * traced this way 1.20–1.36×. It still slows what it measures (docs/performance.md), so the
 * benchmark runs it only when asked.
 */
export class KeystrokeTrace {
  readonly #file: string;
  #pending: Pending | null = null;
  /** The keystroke whose echo frame is being handed to the sockets. */
  #sending: Pending | null = null;
  #lines: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #flushLater = (): void => this.#flush();

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

  /** The frame with the echo goes to the sockets; true when it carries a followed keystroke, whose `sent()` should follow. */
  flushed(): boolean {
    const p = this.#pending;
    if (!p || p.read === undefined || p.flushed !== undefined) return false;
    p.flushed = performance.now();
    this.#pending = null;
    this.#sending = p;
    return true;
  }

  /** The echo frame was handed to the first viewer's socket: the keystroke's line is complete. */
  sent(): void {
    const p = this.#sending;
    if (!p) return;
    this.#sending = null;
    const line: KeystrokeTiming = { at: micros(performance.timeOrigin + p.in), written: micros(p.written - p.in), read: micros(p.read! - p.in), flushed: micros(p.flushed! - p.in), sent: micros(performance.now() - p.in), coalesced: p.coalesced ?? false };
    this.#lines.push(`${JSON.stringify(line)}\n`);
    if (this.#lines.length >= TRACE_FLUSH_LINES) return this.#flush();
    // One timer for the trace's life, re-armed (refresh() also re-arms one that fired).
    (this.#timer ??= setTimeout(this.#flushLater, TRACE_FLUSH_AFTER_MS).unref()).refresh();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flush();
  }

  #flush(): void {
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
