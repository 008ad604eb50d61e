import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MirrorReply, MirrorRequest } from './mirror-protocol.js';
import { TailBuffer } from './tail-buffer.js';

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
/** A flood keeps only its newest bytes, cut at a line start when posted; older ones scrolled away. */
const HOLD_MAX_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/** Output of one session not yet posted to the worker. */
interface Held {
  tail: TailBuffer;
  /** Bytes since the last tick: the flood detector. */
  recent: number;
  /** Whether a flood was seen and has not yet been calm for CALM_TICKS intervals. */
  flooding: boolean;
  /** Intervals in a row under FLOOD_BYTES since the flood's last busy one. */
  calmTicks: number;
}

/**
 * The main-thread side of the mirror worker. The worker always runs the compiled file
 * (server/dist/): worker threads cannot load TypeScript, and the build runs before start and tests.
 * During a flood output is held here, the newest HOLD_MAX_BYTES of it copied into one buffer
 * (see TailBuffer for why a copy), and posted once the flow calms: nothing is parsed while bytes
 * stream through, so the mirror takes little CPU from the transfer it mirrors.
 */
export class MirrorPool {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (data: string) => void>();
  readonly #titleListeners = new Map<string, (title: string) => void>();
  #nextRequest = 1;
  readonly #held = new Map<string, Held>();
  #tickTimer: NodeJS.Timeout | null = null;

  constructor(rootDir: string) {
    this.#worker = new Worker(join(rootDir, 'server', 'dist', 'terminal', 'mirror-worker.js'));
    this.#worker.unref();
    this.#worker.on('message', (msg: MirrorReply) => {
      if (msg.op === 'title') {
        this.#titleListeners.get(msg.id)?.(msg.title);
        return;
      }
      this.#pending.get(msg.request)?.(msg.data);
      this.#pending.delete(msg.request);
    });
  }

  /** Posts one session's held output, transferred; a tail that lost its start begins at a line. */
  #postHeld(id: string, held: Held): void {
    this.#held.delete(id);
    const truncated = held.tail.total > held.tail.size;
    let data = held.tail.take();
    if (truncated) data = data.subarray(data.indexOf(NEWLINE) + 1);
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
      } else if (!held.flooding || ++held.calmTicks >= CALM_TICKS) {
        this.#postHeld(id, held);
        continue;
      }
      held.recent = 0;
    }
    if (this.#held.size > 0) this.#tickTimer = setTimeout(() => this.#tick(), MIRROR_POST_INTERVAL_MS);
  }

  #post(msg: MirrorRequest, transfer?: ArrayBuffer[]): void {
    this.#worker.postMessage(msg, transfer);
  }

  /**
   * Starts mirroring a session; `onTitle` hears the window titles its program sets, once
   * parsed (after a flood, when it calms), and always before a snapshot asked for later.
   */
  create(id: string, size: { cols: number; rows: number; scrollback: number }, onTitle?: (title: string) => void): void {
    if (onTitle) this.#titleListeners.set(id, onTitle);
    this.#post({ op: 'create', id, ...size });
  }

  /** Feeds output (copied: the caller may reuse or drop the chunk). */
  write(id: string, data: Buffer): void {
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
    this.#flushAll();
    this.#post({ op: 'resize', id, cols, rows });
  }

  /** The screen and scrollback as escape sequences, including all output written before this call. */
  serialize(id: string): Promise<string> {
    this.#flushAll();
    const request = this.#nextRequest++;
    return new Promise((resolve) => {
      this.#pending.set(request, resolve);
      this.#post({ op: 'serialize', id, request });
    });
  }

  dispose(id: string): void {
    this.#held.delete(id);
    this.#titleListeners.delete(id);
    this.#post({ op: 'dispose', id });
  }

  /** Stops the worker (shutdown). */
  async close(): Promise<void> {
    if (this.#tickTimer) clearTimeout(this.#tickTimer);
    for (const resolve of this.#pending.values()) resolve('');
    this.#pending.clear();
    await this.#worker.terminate();
  }
}
