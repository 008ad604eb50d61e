import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';

/** SQLite's default: checkpoint once the WAL holds this many pages. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/**
 * Moves WAL checkpoints off the event loop. By default SQLite checkpoints inside the commit that
 * grows the WAL past 1000 pages: that commit copies the pages into the database file and fsyncs
 * it, and took 5–200 ms on a loaded machine, stalling every request, terminal and stream behind
 * it. The server's connection stops doing that; a worker thread with its own connection runs a
 * PASSIVE checkpoint every `intervalMs` instead. Should the worker die, the connection goes back
 * to checkpointing itself. Closing the server's connection still checkpoints and removes the WAL.
 */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<unknown>;
  #closing = false;

  constructor(db: Database.Database, rootDir: string, intervalMs: number, log: Logger) {
    // Worker threads cannot load TypeScript: the compiled file runs (the build precedes start and tests).
    this.#worker = new Worker(join(rootDir, 'server', 'dist', 'db', 'checkpoint-worker.js'), { workerData: { file: db.name, intervalMs } });
    this.#worker.unref();
    this.#exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    db.pragma('wal_autocheckpoint = 0');
    // A worker that fails emits 'error' and then 'exit': fall back once, at the exit, naming the error.
    let failure: string | undefined;
    this.#worker.on('error', (err) => (failure = err.message));
    this.#worker.on('exit', (code) => {
      if (this.#closing || !db.open) return;
      log.warn({ why: failure ?? `exit ${code}` }, 'the checkpoint worker stopped; SQLite checkpoints on commit again');
      db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    });
  }

  /** Stops the worker; call before closing the server's connection. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    // Referenced again, or a process with nothing else left would exit before the worker has
    // closed its connection (and a failed start would end with an unsettled await).
    this.#worker.ref();
    this.#worker.postMessage('close');
    await this.#exited;
  }
}
