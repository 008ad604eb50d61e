/**
 * Worker thread that checkpoints the database's WAL (see checkpointer.ts) with a connection of
 * its own, so the copy into the database file and its fsync never run on the event loop. It
 * checkpoints at once and then every interval, and stops by itself ('idle') once `idleTicks`
 * checkpoints in a row found every frame of the WAL already copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointerMessage } from './checkpoint-protocol.js';

const { file, intervalMs, idleTicks } = workerData as { file: string; intervalMs: number; idleTicks: number };
const db = new Database(file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
const port = parentPort!;

let quiet = 0;
let stopped = false;
const stop = (reason?: CheckpointerMessage): void => {
  if (stopped) return;
  stopped = true;
  clearInterval(timer);
  db.close();
  if (reason) port.postMessage(reason);
  port.close();
};
const checkpoint = (): void => {
  try {
    // PASSIVE copies what no reader still needs and never waits on, or blocks, the server's connection.
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    quiet = result && result.busy === 0 && result.log === result.checkpointed ? quiet + 1 : 0;
  } catch {
    quiet = 0; // busy or locked for a moment: the next tick tries again
  }
  if (quiet >= idleTicks) stop('idle');
};
const timer = setInterval(checkpoint, intervalMs);
checkpoint();

port.on('message', (msg: CheckpointerMessage) => {
  if (msg === 'close') stop();
});
