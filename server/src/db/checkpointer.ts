import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { CHECKPOINT_IDLE_TICKS, type CheckpointerMessage } from './checkpoint-protocol.js';
import { releaseFreedMemory } from '../memory/release.js';

/** SQLite's default: checkpoint once the WAL holds this many pages. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/**
 * Moves WAL checkpoints off the event loop. By default SQLite checkpoints inside the commit that
 * grows the WAL past 1000 pages: that commit copies the pages into the database file and fsyncs
 * it, and took 5–200 ms on a loaded machine, stalling every request, terminal and stream behind
 * it. The server's connection stops doing that; a worker thread with its own connection runs a
 * PASSIVE checkpoint every `intervalMs` instead.
 * The worker runs only while there is work: the server looks at the -wal file every interval and
 * starts it when the file changed; after CHECKPOINT_IDLE_TICKS checkpoints with nothing to copy
 * it stops, giving its memory (~10 MB) back. Should it fail, the connection goes back to
 * checkpointing itself. Closing the server's connection still checkpoints and removes the WAL.
 */
export class Checkpointer {
  readonly #db: Database.Database;
  readonly #workerFile: string;
  readonly #walFile: string;
  readonly #intervalMs: number;
  readonly #log: Logger;
  readonly #watch: NodeJS.Timeout;
  #worker: Worker | null = null;
  #exited: Promise<unknown> = Promise.resolve();
  /** The -wal file's size and mtime when last looked at: a change means commits to copy. */
  #seen = '';
  #closing = false;
  #failed = false;

  constructor(db: Database.Database, rootDir: string, intervalMs: number, log: Logger) {
    this.#db = db;
    // Worker threads cannot load TypeScript: the compiled file runs (the build precedes start and tests).
    this.#workerFile = join(rootDir, 'server', 'dist', 'db', 'checkpoint-worker.js');
    this.#walFile = `${db.name}-wal`;
    this.#intervalMs = intervalMs;
    this.#log = log;
    db.pragma('wal_autocheckpoint = 0');
    this.#watch = setInterval(() => this.#look(), intervalMs);
    this.#watch.unref();
    this.#look();
  }

  /** Whether the worker runs now. */
  get running(): boolean {
    return this.#worker !== null;
  }

  /** Starts the worker when the WAL changed since it was last looked at. */
  #look(): void {
    if (this.#worker || this.#closing || this.#failed) return;
    const now = this.#walState();
    if (now === this.#seen) return;
    this.#seen = now;
    if (now !== '') this.#start();
  }

  /** The -wal file's size and mtime, '' when there is none or it is empty. */
  #walState(): string {
    try {
      const st = statSync(this.#walFile);
      return st.size === 0 ? '' : `${st.size}:${st.mtimeMs}`;
    } catch {
      return ''; // no WAL yet
    }
  }

  #start(): void {
    const worker = new Worker(this.#workerFile, { workerData: { file: this.#db.name, intervalMs: this.#intervalMs, idleTicks: CHECKPOINT_IDLE_TICKS } });
    worker.unref();
    this.#worker = worker;
    this.#exited = new Promise((resolve) => worker.once('exit', resolve));
    // A worker that fails emits 'error' and then 'exit': fall back once, at the exit, naming the error.
    let failure: string | undefined;
    let idle = false;
    worker.on('message', (msg: CheckpointerMessage) => (idle = msg === 'idle'));
    worker.on('error', (err) => (failure = err.message));
    worker.on('exit', (code) => {
      this.#worker = null;
      if (this.#closing || !this.#db.open) return;
      // #seen stays what started this worker: a commit made while it ran, even one after its
      // last checkpoint, changed the file, and the next look starts another worker for it.
      if (idle && code === 0) {
        releaseFreedMemory(); // what the worker's thread freed stays in its arena until trimmed
        return;
      }
      this.#failed = true;
      this.#log.warn({ why: failure ?? `exit ${code}` }, 'the checkpoint worker stopped; SQLite checkpoints on commit again');
      this.#db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    });
  }

  /** Stops the worker; call before closing the server's connection. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#watch);
    const worker = this.#worker;
    if (!worker) return;
    // Referenced again, or a process with nothing else left would exit before the worker has
    // closed its connection (and a failed start would end with an unsettled await).
    worker.ref();
    worker.postMessage('close' satisfies CheckpointerMessage);
    await this.#exited;
  }
}
