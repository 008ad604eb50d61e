import { rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Checkpointer } from '../../server/src/db/checkpointer.js';
import { openDatabase } from '../../server/src/db/database.js';
import { releaseFreedMemory } from '../../server/src/memory/release.js';
import { tempDir } from '../helpers/temp.js';
import { until } from '../providers/fixtures.js';

// The real trim, counted: the stop must hand what the worker's thread freed back (test/memory shows the effect).
vi.mock('../../server/src/memory/release.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/src/memory/release.js')>();
  return { ...real, releaseFreedMemory: vi.fn(real.releaseFreedMemory) };
});

const ROOT_DIR = fileURLToPath(new URL('../../', import.meta.url));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

function open() {
  const t = tempDir();
  const file = join(t.dir, 'atelier.db');
  const db = openDatabase(file);
  cleanups.push(t.remove, () => db.open && db.close());
  db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB)');
  return { db, file };
}

/** Writes ~4 MB (about 1000 pages) in small commits, as chat traffic does. */
function write(db: ReturnType<typeof openDatabase>): void {
  const insert = db.prepare('INSERT INTO blobs (body) VALUES (?)');
  for (let i = 0; i < 1000; i++) insert.run(Buffer.alloc(4000, i % 256));
}

describe('WAL checkpoints off the event loop', () => {
  it('the server connection no longer checkpoints on commit; the worker copies the WAL into the database file', async () => {
    const { db, file } = open();
    const checkpointer = new Checkpointer(db, ROOT_DIR, 50, pino({ level: 'silent' }));
    cleanups.push(() => checkpointer.close());
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    write(db);
    // Only a checkpoint moves pages from the -wal file into the database file.
    await until(() => statSync(file).size > 3_000_000, 10_000);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(3_000_000);
  });

  it('without the worker nothing reaches the database file (the test above can fail)', async () => {
    const { db, file } = open();
    db.pragma('wal_autocheckpoint = 0');
    write(db);
    await new Promise((r) => setTimeout(r, 300));
    expect(statSync(file).size).toBeLessThan(100_000);
  });

  it('runs the worker only while there is work: it stops once the WAL is copied, and starts again on the next commits', async () => {
    const { db, file } = open();
    const checkpointer = new Checkpointer(db, ROOT_DIR, 50, pino({ level: 'silent' }));
    cleanups.push(() => checkpointer.close());
    expect(checkpointer.running).toBe(true); // the WAL holds the CREATE TABLE
    vi.mocked(releaseFreedMemory).mockClear();
    await until(() => !checkpointer.running, 5_000);
    expect(releaseFreedMemory).toHaveBeenCalledTimes(1); // its arena trimmed
    write(db);
    await until(() => checkpointer.running, 5_000);
    await until(() => statSync(file).size > 3_000_000, 10_000);
    await until(() => !checkpointer.running, 5_000);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0); // an idle stop is no failure
  });

  it('gives checkpointing back to SQLite when the worker fails', async () => {
    const { db, file } = open();
    rmSync(file); // the worker cannot open the file any more
    const checkpointer = new Checkpointer(db, ROOT_DIR, 50, pino({ level: 'silent' }));
    cleanups.push(() => checkpointer.close());
    await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 1000, 5_000);
  });
});
