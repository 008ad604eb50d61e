import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { MirrorReply, MirrorRequest } from './mirror-protocol.js';
import { TailBuffer } from '../tail-buffer.js';
import { releaseFreedMemory } from '../memory/release.js';

/** Output for the mirror is posted to its worker at most this often. */
const MIRROR_POST_INTERVAL_MS = 25;
/** More output than this within one interval (5 MB/s) is a flood: it is held, not posted. */
const FLOOD_BYTES = 128 * 1024;
/**
 * A flood ends only after this many intervals in a row under FLOOD_BYTES (200 ms): a stall of a
 * few ms mid-flood (the scheduler, steal, flow control) would otherwise post and parse megabytes
 * while the flood goes on, taking a core from the transfer.
 */
const CALM_TICKS = 8;
/**
 * A calm flood is posted on the first interval with no output at all, so its parse (the worker's
 * core and V8's helper threads for 30–90 ms) falls in a pause, not amid keystrokes typed right
 * after the flood; output that never pauses (a busy TUI) is posted after this many calm intervals (2 s).
 */
const CALM_TICKS_MAX = 80;
/** A flood keeps only its newest bytes, cut at a line start when posted; older ones scrolled away. */
const HOLD_MAX_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/** Output of one session not yet posted to the worker. */
interface Held {
  tail: TailBuffer;
  /** Bytes since the last tick: the flood detector. */
  recent: number;
  /** Whether a flood was seen and has not yet ended (see #floodEnded). */
  flooding: boolean;
  /** Intervals in a row under FLOOD_BYTES since the flood's last busy one. */
  calmTicks: number;
}

/** A worker left with no session to mirror is stopped after this, giving its memory (~10 MB) back. */
export const MIRROR_IDLE_STOP_MS = 10_000;
/** A worker that crashed is started again after this, so a worker that always crashes cannot spin. */
const RESTART_DELAY_MS = 1_000;

/** How a session is mirrored: what the worker needs to make its terminal again after a restart. */
interface MirrorSpec {
  cols: number;
  rows: number;
  scrollback: number;
}

export interface MirrorOptions {
  /** The worker's script; default the compiled mirror-worker.js. */
  workerFile?: string;
  idleStopMs?: number;
}

/**
 * The main-thread side of the mirror worker. The worker always runs the compiled file
 * (server/dist/): worker threads cannot load TypeScript, and the build runs before start and tests.
 * It starts with the first session and stops once none is left (after `idleStopMs`). Should it
 * crash, the crash is logged, pending snapshots answer empty, and a new worker mirrors every live
 * session again from its next output on (what the old one held is gone); sessions and their
 * sockets never notice.
 * During a flood output is held here, the newest HOLD_MAX_BYTES of it copied into one buffer
 * (see TailBuffer for why a copy), and posted once the flow calms: nothing is parsed while bytes
 * stream through, so the mirror takes little CPU from the transfer it mirrors.
 */
export class MirrorPool {
  readonly #workerFile: string;
  readonly #idleStopMs: number;
  #worker: Worker | null = null;
  /** Set while a crashed worker waits to be replaced. */
  #restartTimer: NodeJS.Timeout | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #specs = new Map<string, MirrorSpec>();
  readonly #pending = new Map<number, (data: string) => void>();
  readonly #titleListeners = new Map<string, (title: string) => void>();
  #nextRequest = 1;
  readonly #held = new Map<string, Held>();
  #tickTimer: NodeJS.Timeout | null = null;

  constructor(
    rootDir: string,
    readonly log: Logger,
    { workerFile, idleStopMs = MIRROR_IDLE_STOP_MS }: MirrorOptions = {},
  ) {
    this.#workerFile = workerFile ?? join(rootDir, 'server', 'dist', 'terminal', 'mirror-worker.js');
    this.#idleStopMs = idleStopMs;
  }

  /** Whether a worker thread is running now (it starts with the first session). */
  get running(): boolean {
    return this.#worker !== null;
  }

  /** The running worker, started if need be (and if not waiting to restart after a crash). */
  #ensureWorker(): Worker | null {
    if (this.#worker || this.#restartTimer || this.#closed) return this.#worker;
    const worker = new Worker(this.#workerFile);
    worker.unref();
    worker.on('message', (msg: MirrorReply) => {
      if (msg.op === 'title') {
        this.#titleListeners.get(msg.id)?.(msg.title);
        return;
      }
      this.#pending.get(msg.request)?.(msg.data);
      this.#pending.delete(msg.request);
    });
    let failure: Error | undefined;
    worker.on('error', (err) => (failure = err));
    worker.on('exit', (code) => this.#exited(worker, code, failure));
    this.#worker = worker;
    for (const [id, spec] of this.#specs) this.#post({ op: 'create', id, ...spec });
    return worker;
  }

  /** The worker stopped: by our hand (idle, close) or by a crash, which is logged and repaired. */
  #exited(worker: Worker, code: number, failure: Error | undefined): void {
    if (this.#worker !== worker) return; // stopped on purpose
    this.#worker = null;
    this.log.error({ err: failure, code, sessions: this.#specs.size }, 'the terminal mirror worker crashed; restarting it (the screens it held are lost)');
    this.#answerPending();
    this.#held.clear();
    if (this.#closed || this.#specs.size === 0) return;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (this.#specs.size > 0) this.#ensureWorker();
    }, RESTART_DELAY_MS);
    this.#restartTimer.unref();
  }

  /** Snapshots still awaited get an empty screen: the worker that would have made them is gone. */
  #answerPending(): void {
    for (const resolve of this.#pending.values()) resolve('');
    this.#pending.clear();
  }

  /** Stops an idle worker (nothing left to mirror). */
  #stopWorker(): void {
    const worker = this.#worker;
    this.#worker = null;
    this.#answerPending();
    // Its thread's arena keeps what it freed until trimmed: the most of what the mirror cost.
    if (worker) void worker.terminate().then(() => releaseFreedMemory());
  }

  /**
   * Posts one session's held output, transferred; a tail that lost its start begins at a line.
   * Of a flood, only the lines the mirror can still show are parsed: its tail holds up to 4 MB, 50k
   * lines of 80 columns, where a screen and its scrollback keep 5k; copying and parsing the rest
   * took the worker's core (and V8's shared helper threads) for ~100 ms right after every flood,
   * while the user typed again (measured in docs/performance.md). Only those lines are copied.
   */
  #postHeld(id: string, held: Held): void {
    this.#held.delete(id);
    const kept = held.tail.size;
    const truncated = held.tail.total > kept;
    const spec = this.#specs.get(id);
    // The lines after the n-th newline from the end fill n rows, the cursor's unended one included: one to spare.
    let data = held.tail.take(spec && held.flooding ? spec.scrollback + spec.rows + 1 : undefined);
    if (truncated && data.length === kept) data = data.subarray(data.indexOf(NEWLINE) + 1);
    this.#post({ op: 'write', id, data }, [data.buffer as ArrayBuffer]);
  }

  /** Posts what every session holds, flood or not (before a resize or a snapshot, and at close). */
  #flushAll(): void {
    if (this.#tickTimer) clearTimeout(this.#tickTimer);
    this.#tickTimer = null;
    for (const [id, held] of this.#held) this.#postHeld(id, held);
  }

  /** Each interval: post the output of sessions that calmed down, keep holding the flooding ones. */
  #tick(): void {
    this.#tickTimer = null;
    for (const [id, held] of this.#held) {
      if (held.recent > FLOOD_BYTES) {
        held.flooding = true;
        held.calmTicks = 0;
      } else if (!held.flooding || this.#floodEnded(held)) {
        this.#postHeld(id, held);
        continue;
      }
      held.recent = 0;
    }
    if (this.#held.size > 0) this.#tickTimer = setTimeout(() => this.#tick(), MIRROR_POST_INTERVAL_MS);
  }

  /** Counts one more calm interval of a flood: whether it has ended (calm long enough, and silent now or for too long). */
  #floodEnded(held: Held): boolean {
    held.calmTicks++;
    return held.calmTicks >= CALM_TICKS && (held.recent === 0 || held.calmTicks >= CALM_TICKS_MAX);
  }

  /** Posts to the worker; dropped while a crashed worker waits for its replacement. */
  #post(msg: MirrorRequest, transfer?: ArrayBuffer[]): void {
    this.#ensureWorker()?.postMessage(msg, transfer);
  }

  /**
   * Starts mirroring a session; `onTitle` hears the window titles its program sets, once
   * parsed (after a flood, when it calms), and always before a snapshot asked for later.
   */
  create(id: string, size: MirrorSpec, onTitle?: (title: string) => void): void {
    if (onTitle) this.#titleListeners.set(id, onTitle);
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    this.#specs.set(id, { ...size });
    if (this.#worker) this.#post({ op: 'create', id, ...size });
    else this.#ensureWorker(); // creates every mirror, this one included
  }

  /** Feeds output (copied: the caller may reuse or drop the chunk). */
  write(id: string, data: Buffer): void {
    if (!this.#specs.has(id)) return; // disposed
    let held = this.#held.get(id);
    if (!held) {
      held = { tail: new TailBuffer(HOLD_MAX_BYTES), recent: 0, flooding: false, calmTicks: 0 };
      this.#held.set(id, held);
    }
    held.tail.push(data);
    held.recent += data.length;
    this.#tickTimer ??= setTimeout(() => this.#tick(), MIRROR_POST_INTERVAL_MS);
  }

  resize(id: string, cols: number, rows: number): void {
    const spec = this.#specs.get(id);
    if (!spec) return; // disposed: no worker is started for it
    Object.assign(spec, { cols, rows });
    this.#flushAll();
    this.#post({ op: 'resize', id, cols, rows });
  }

  /** The screen and scrollback as escape sequences, including all output written before this call. */
  serialize(id: string): Promise<string> {
    this.#flushAll();
    if (!this.#worker) return Promise.resolve(''); // crashed: its screens are gone
    const request = this.#nextRequest++;
    return new Promise((resolve) => {
      this.#pending.set(request, resolve);
      this.#post({ op: 'serialize', id, request });
    });
  }

  dispose(id: string): void {
    this.#held.delete(id);
    this.#titleListeners.delete(id);
    if (!this.#specs.delete(id)) return;
    if (this.#worker) this.#worker.postMessage({ op: 'dispose', id } satisfies MirrorRequest);
    if (this.#specs.size > 0 || this.#idleTimer) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#specs.size === 0) this.#stopWorker();
    }, this.#idleStopMs);
    this.#idleTimer.unref();
  }

  /** Stops the worker (shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of [this.#tickTimer, this.#idleTimer, this.#restartTimer]) if (timer) clearTimeout(timer);
    const worker = this.#worker;
    this.#worker = null;
    this.#answerPending();
    await worker?.terminate();
  }
}
