import { randomUUID } from 'node:crypto';
import { TERMINAL_TITLE_MAX_CHARS } from '../limits.js';
import { FLOW_CONTROL, type TerminalKind, type TerminalServerMessage, type TerminalSessionInfo } from '../wire/terminal.js';
import type { FramePool } from './frame-pool.js';
import { KeystrokeTrace } from './keystroke-trace.js';
import type { MirrorPool } from './mirror.js';
import type { TerminalProcess } from './process.js';
import type { YoungGcPacer } from './young-gc.js';

/** One open socket looking at a session. */
export interface Viewer {
  /**
   * Sends output bytes (a binary frame). `written`, if given, must be called once the bytes
   * have been written out (or dropped): until then the buffer is not reused.
   */
  output(chunk: Buffer, written?: () => void): void;
  /** Sends a control message (a JSON text frame). */
  control(message: TerminalServerMessage): void;
}

interface ViewerState {
  /** Bytes sent and not yet acknowledged. */
  unacked: number;
  /** Output held back while the viewer's snapshot is being serialized. */
  queue: QueuedOutput[] | null;
  /** Whether this viewer was told the session waits on another viewer (a `paused` message). */
  toldHeld: boolean;
}

/** A frame waiting for a viewer's snapshot, with the release of its hold on the frame's buffer. */
interface QueuedOutput {
  data: Buffer;
  written: () => void;
}

/** What every session shares: the screen mirror, the GC pacer and the frame buffers. */
export interface SessionShared {
  mirror: MirrorPool;
  gc: YoungGcPacer;
  frames: FramePool;
  /** Where each session appends its keystroke timings (see keystroke-trace.ts); none when unset. */
  traceFile?: string;
}

/** Largest frame of batched output; bigger bursts go out as several frames. */
const MAX_FRAME_BYTES = 256 * 1024;
/** Size of a pooled frame buffer: a full frame plus the read (up to 64 KB) that took it past the cap. */
export const FRAME_BUFFER_BYTES = MAX_FRAME_BYTES + 64 * 1024;
/** Frame buffers kept for reuse, for all sessions together (~2.5 MB). */
export const FRAME_BUFFERS_KEPT = 8;
/** A PTY read at least this big is bulk output (reads are up to ~4 KB); echoes are a few bytes. */
const BULK_CHUNK_BYTES = 1024;
/** How long streaming output is coalesced into one frame (PTY reads are ~4 KB each). */
const COALESCE_MS = 3;


/** What GET /api/terminal/sessions reports of a live session. */
export type SessionInfo = TerminalSessionInfo;

/**
 * A running terminal: its process, the viewers that watch it and the headless mirror of its
 * screen. Output is batched into binary frames. Flow control: the process is paused while any
 * viewer holds more than HIGH_WATERMARK unacknowledged bytes, and resumed when all are back
 * under LOW_WATERMARK — memory stays bounded whatever the program writes and however slow the
 * reader. The mirror bounds its own memory (see mirror-worker.ts) and never pauses the process.
 */
export class TerminalSession {
  readonly id = randomUUID();
  readonly createdAt = new Date();
  readonly #viewers = new Map<Viewer, ViewerState>();
  readonly #mirror: MirrorPool;
  readonly #gc: YoungGcPacer;
  readonly #frames: FramePool;
  readonly #trace: KeystrokeTrace | null;
  #batch: Buffer[] = [];
  #batchBytes = 0;
  /** The coalescing window's timer, while bulk output waits in the batch. */
  #flushTimer: NodeJS.Timeout | null = null;
  /** A flush is due on the next turn (setImmediate). */
  #flushSoon = false;
  /** Input was written and its echo has not come yet: the next small read must not wait for a window. */
  #echoExpected = false;
  #paused = false;
  #exit: { code: number | null; signal: string | null } | null = null;
  #onIdle: () => void = () => undefined;
  #onExit: () => void = () => undefined;
  /** The window title the program set last (OSC 0/2), if any. */
  #programTitle = '';

  constructor(
    readonly kind: TerminalKind,
    readonly process: TerminalProcess,
    size: { cols: number; rows: number; scrollback: number },
    { mirror, gc, frames, traceFile }: SessionShared,
  ) {
    this.#trace = traceFile ? new KeystrokeTrace(traceFile) : null;
    this.#mirror = mirror;
    this.#gc = gc;
    this.#frames = frames;
    mirror.create(this.id, size, (title) => (this.#programTitle = title.slice(0, TERMINAL_TITLE_MAX_CHARS)));
    process.onData((chunk) => this.#receive(chunk));
    process.onExit((exit) => {
      this.#flush();
      this.#exit = exit;
      for (const viewer of this.#viewers.keys()) viewer.control({ type: 'exit', data: exit });
      this.#onExit();
    });
  }

  /** The title the program set, else what runs (the shell, user@host, the distribution). */
  get title(): string {
    return this.#programTitle || this.process.title;
  }

  get exited(): boolean {
    return this.#exit !== null;
  }

  get viewerCount(): number {
    return this.#viewers.size;
  }

  /** True while reading from the process is paused by flow control. */
  get paused(): boolean {
    return this.#paused;
  }

  info(): SessionInfo {
    return { id: this.id, kind: this.kind, title: this.title, created_at: this.createdAt.toISOString(), viewers: this.#viewers.size, exited: this.exited, paused: this.#paused };
  }

  /** Called when the last viewer leaves (the manager starts the grace timer); the exit is told through onExit. */
  onIdle(fn: () => void): void {
    this.#onIdle = fn;
  }

  onExit(fn: () => void): void {
    this.#onExit = fn;
  }

  /** A new session's first viewer: no snapshot needed. */
  addFreshViewer(viewer: Viewer): void {
    this.#viewers.set(viewer, { unacked: 0, queue: null, toldHeld: false });
    viewer.control({ type: 'ready', data: { id: this.id, kind: this.kind, title: this.title } });
  }

  /**
   * Re-attach: the viewer gets `ready`, then the serialized screen and scrollback, then live
   * output. Output arriving while the snapshot is made is queued, so nothing is lost or doubled.
   */
  async attach(viewer: Viewer): Promise<void> {
    this.#flush();
    const state: ViewerState = { unacked: 0, queue: [], toldHeld: false };
    this.#viewers.set(viewer, state);
    const snapshot = await this.#mirror.serialize(this.id);
    if (!this.#viewers.has(viewer)) return; // left while waiting
    viewer.control({ type: 'ready', data: { id: this.id, kind: this.kind, title: this.title } });
    const queued = state.queue ?? [];
    state.queue = null;
    this.#sendTo(viewer, state, Buffer.from(snapshot, 'utf8'));
    for (const q of queued) this.#sendTo(viewer, state, q.data, q.written);
    if (this.#exit) viewer.control({ type: 'exit', data: this.#exit });
    else this.#tellHeld();
  }

  detach(viewer: Viewer): void {
    const state = this.#viewers.get(viewer);
    if (!state) return;
    this.#viewers.delete(viewer);
    for (const q of state.queue ?? []) q.written(); // never sent: its holds go
    this.#maybeResume();
    if (this.#viewers.size === 0) this.#onIdle();
  }

  ack(viewer: Viewer, bytes: number): void {
    const state = this.#viewers.get(viewer);
    if (!state) return;
    state.unacked = Math.max(0, state.unacked - bytes);
    this.#maybeResume();
    if (this.#paused) this.#tellHeld();
  }

  /** Types into the process; `arrivedAt` (performance.now()) is when the input frame came, for the trace. */
  write(data: string, arrivedAt?: number): void {
    this.process.write(data);
    this.#echoExpected = true;
    if (this.#trace && arrivedAt !== undefined) this.#trace.input(arrivedAt);
  }

  resize(cols: number, rows: number): void {
    this.process.resize(cols, rows);
    this.#mirror.resize(this.id, cols, rows);
  }

  /** Ends the process and forgets the mirror. */
  dispose(): void {
    if (!this.exited) this.process.kill();
    this.#mirror.dispose(this.id);
    this.#trace?.close();
  }

  #receive(chunk: Buffer): void {
    this.#trace?.read(chunk.length, this.#flushTimer !== null);
    this.#batch.push(chunk);
    this.#batchBytes += chunk.length;
    const echo = this.#echoExpected && chunk.length < BULK_CHUNK_BYTES;
    if (chunk.length < BULK_CHUNK_BYTES) this.#echoExpected = false;
    if (this.#batchBytes >= MAX_FRAME_BYTES) this.#flush();
    else if (echo || (this.#flushTimer === null && !this.#flushSoon)) {
      // A big read means bulk output: wait a moment to send fewer, larger frames. A small one
      // (a keystroke's echo, a prompt) goes out on the next turn to keep latency low, and the
      // first small read after input does so even inside a coalescing window, with what it joined.
      if (echo || chunk.length < BULK_CHUNK_BYTES) {
        if (!this.#flushSoon) setImmediate(() => this.#flush());
        this.#flushSoon = true;
      } else this.#flushTimer = setTimeout(() => this.#flush(), COALESCE_MS);
    }
  }

  #flush(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    this.#flushSoon = false;
    if (this.#batchBytes === 0) return;
    const frame = this.#frames.frame(this.#batch, this.#batchBytes);
    const release = frame.hold(); // until every viewer has its own
    this.#batch = [];
    this.#batchBytes = 0;
    this.#mirror.write(this.id, frame.data); // copies what it keeps
    let traced = this.#trace?.flushed() ?? false; // timed on the first viewer's socket
    for (const [viewer, state] of this.#viewers) {
      const written = frame.hold();
      if (state.queue) state.queue.push({ data: frame.data, written });
      else {
        this.#sendTo(viewer, state, frame.data, written);
        if (traced) this.#trace?.sent();
      }
      traced = false;
    }
    release();
    this.#maybePause();
    this.#gc.passed(frame.data.length);
  }

  #sendTo(viewer: Viewer, state: ViewerState, chunk: Buffer, written?: () => void): void {
    if (chunk.length === 0) return written?.();
    state.unacked += chunk.length;
    viewer.output(chunk, written);
  }

  #maxUnacked(): number {
    let max = 0;
    for (const state of this.#viewers.values()) max = Math.max(max, state.unacked);
    return max;
  }

  #maybePause(): void {
    if (this.#paused || this.#exit || this.#maxUnacked() <= FLOW_CONTROL.HIGH_WATERMARK_BYTES) return;
    this.#paused = true;
    this.process.pause();
    this.#tellHeld();
  }

  #maybeResume(): void {
    if (!this.#paused || this.#maxUnacked() >= FLOW_CONTROL.LOW_WATERMARK_BYTES) return;
    this.#paused = false;
    this.process.resume();
    this.#tellHeld();
  }

  /**
   * Tells each viewer whether the session waits on another viewer: paused while this viewer has
   * caught up (under the low mark) and another has not. A viewer alone is never told; it knows
   * when it is behind, and its own acks resume the session.
   */
  #tellHeld(): void {
    const behind = (state: ViewerState): boolean => state.unacked >= FLOW_CONTROL.LOW_WATERMARK_BYTES;
    let blockers = 0;
    for (const state of this.#viewers.values()) if (behind(state)) blockers++;
    for (const [viewer, state] of this.#viewers) {
      const held = this.#paused && state.queue === null && !behind(state) && blockers > 0;
      if (held === state.toldHeld) continue;
      state.toldHeld = held;
      viewer.control({ type: 'paused', data: { paused: held } });
    }
  }
}
