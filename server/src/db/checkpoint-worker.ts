/**
 * Worker thread that checkpoints the database's WAL (see checkpointer.ts) with a connection of
 * its own, so the copy into the database file and its fsync never run on the event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');

const checkpoint = (): void => {
  try {
    // PASSIVE copies what no reader still needs and never waits on, or blocks, the server's connection.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked for a moment: the next tick tries again.
  }
};
const timer = setInterval(checkpoint, intervalMs);

parentPort!.on('message', (msg: 'close') => {
  if (msg !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
