import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MirrorReply, MirrorRequest } from './mirror-protocol.js';

/** Output for the mirror is posted to its worker at most this often. */
const MIRROR_POST_INTERVAL_MS = 25;

/**
 * The main-thread side of the mirror worker. The worker always runs the compiled file
 * (server/dist/): worker threads cannot load TypeScript, and the build runs before start and tests.
 */
export class MirrorPool {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (data: string) => void>();
  #nextRequest = 1;
  /** Output not yet posted to the worker, per session, in order. */
  readonly #outgoing = new Map<string, Buffer[]>();
  #flushTimer: NodeJS.Timeout | null = null;

  constructor(rootDir: string) {
    this.#worker = new Worker(join(rootDir, 'server', 'dist', 'terminal', 'mirror-worker.js'));
    this.#worker.unref();
    this.#worker.on('message', (msg: MirrorReply) => {
      this.#pending.get(msg.request)?.(msg.data);
      this.#pending.delete(msg.request);
    });
  }

  #flushOutgoing(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    for (const [id, chunks] of this.#outgoing) {
      const data = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let offset = 0;
      for (const chunk of chunks) {
        data.set(chunk, offset);
        offset += chunk.length;
      }
      this.#post({ op: 'write', id, data }, [data.buffer]);
    }
    this.#outgoing.clear();
  }

  #post(msg: MirrorRequest, transfer?: ArrayBuffer[]): void {
    this.#worker.postMessage(msg, transfer);
  }

  /** Starts mirroring a session. */
  create(id: string, size: { cols: number; rows: number; scrollback: number }): void {
    this.#post({ op: 'create', id, ...size });
  }

  /**
   * Feeds output. Frames are gathered and posted every MIRROR_POST_INTERVAL_MS as one copy
   * that is transferred (the originals may still be queued on sockets): a postMessage per
   * frame would cost the byte path more than the copy.
   */
  write(id: string, data: Buffer): void {
    const pending = this.#outgoing.get(id);
    if (pending) pending.push(data);
    else this.#outgoing.set(id, [data]);
    this.#flushTimer ??= setTimeout(() => this.#flushOutgoing(), MIRROR_POST_INTERVAL_MS);
  }

  resize(id: string, cols: number, rows: number): void {
    this.#flushOutgoing();
    this.#post({ op: 'resize', id, cols, rows });
  }

  /** The screen and scrollback as escape sequences, including all output written before this call. */
  serialize(id: string): Promise<string> {
    this.#flushOutgoing();
    const request = this.#nextRequest++;
    return new Promise((resolve) => {
      this.#pending.set(request, resolve);
      this.#post({ op: 'serialize', id, request });
    });
  }

  dispose(id: string): void {
    this.#outgoing.delete(id);
    this.#post({ op: 'dispose', id });
  }

  /** Stops the worker (shutdown). */
  async close(): Promise<void> {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    for (const resolve of this.#pending.values()) resolve('');
    this.#pending.clear();
    await this.#worker.terminate();
  }
}
