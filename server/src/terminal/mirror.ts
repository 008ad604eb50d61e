import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MirrorReply, MirrorRequest } from './mirror-protocol.js';

/**
 * The main-thread side of the mirror worker. The worker always runs the compiled file
 * (server/dist/): worker threads cannot load TypeScript, and the build runs before start and tests.
 */
export class MirrorPool {
  readonly #worker: Worker;
  readonly #written = new Map<string, (bytes: number) => void>();
  readonly #pending = new Map<number, (data: string) => void>();
  #nextRequest = 1;

  constructor(rootDir: string) {
    this.#worker = new Worker(join(rootDir, 'server', 'dist', 'terminal', 'mirror-worker.js'));
    this.#worker.unref();
    this.#worker.on('message', (msg: MirrorReply) => {
      if (msg.op === 'written') this.#written.get(msg.id)?.(msg.bytes);
      else {
        this.#pending.get(msg.request)?.(msg.data);
        this.#pending.delete(msg.request);
      }
    });
  }

  #post(msg: MirrorRequest, transfer?: ArrayBuffer[]): void {
    this.#worker.postMessage(msg, transfer);
  }

  /** Starts mirroring a session; `onWritten` receives the mirror's acks. */
  create(id: string, size: { cols: number; rows: number; scrollback: number }, onWritten: (bytes: number) => void): void {
    this.#written.set(id, onWritten);
    this.#post({ op: 'create', id, ...size });
  }

  /** Feeds output. Copied, then the copy is transferred: the original may still be queued on sockets. */
  write(id: string, data: Buffer): void {
    const copy = new Uint8Array(data);
    this.#post({ op: 'write', id, data: copy }, [copy.buffer]);
  }

  resize(id: string, cols: number, rows: number): void {
    this.#post({ op: 'resize', id, cols, rows });
  }

  /** The screen and scrollback as escape sequences, including all output written before this call. */
  serialize(id: string): Promise<string> {
    const request = this.#nextRequest++;
    return new Promise((resolve) => {
      this.#pending.set(request, resolve);
      this.#post({ op: 'serialize', id, request });
    });
  }

  dispose(id: string): void {
    this.#written.delete(id);
    this.#post({ op: 'dispose', id });
  }

  /** Stops the worker (shutdown). */
  async close(): Promise<void> {
    for (const resolve of this.#pending.values()) resolve('');
    this.#pending.clear();
    await this.#worker.terminate();
  }
}
