// Two Atelier processes can open one home's database at once (two starts racing, `atelier
// doctor` beside a server): migrations must then run once, whoever gets there first.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { atOnce } from '../helpers/at-once.js';
import { tempDir } from '../helpers/temp.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

const DATABASE = pathToFileURL(join(process.cwd(), 'server', 'dist', 'db', 'database.js')).href;
const PROCESSES = 4;
const MIGRATIONS = 10;

describe('migrations from processes at once', () => {
  it(`${PROCESSES} processes migrating one new file at once apply each of ${MIGRATIONS} migrations exactly once, with no error`, async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    const file = join(t.dir, 'atelier.db');
    const setup = `
      import { migrate, openDatabase } from ${JSON.stringify(DATABASE)};
      const db = openDatabase(${JSON.stringify(file)});
      const migrations = Array.from({ length: ${MIGRATIONS} }, (_, i) => ({
        id: 'm' + String(i).padStart(2, '0'),
        up: (d) => {
          // Each holds its transaction a while, so the others read the list of applied
          // migrations while one is under way and must find it applied once they get the lock.
          for (const end = Date.now() + 30; Date.now() < end; );
          d.exec('CREATE TABLE t' + i + ' (x)');
          d.exec('CREATE TABLE IF NOT EXISTS ran (id TEXT, pid INTEGER)');
          d.prepare('INSERT INTO ran VALUES (?, ?)').run('m' + i, process.pid);
        },
      }));`;
    const applied = (await atOnce(PROCESSES, setup, 'migrate(db, migrations)')) as string[][];

    // Every migration was applied by one process, and none by two.
    const all = applied.flat().sort();
    expect(all).toEqual(Array.from({ length: MIGRATIONS }, (_, i) => `m${String(i).padStart(2, '0')}`));
    const db = new Database(file, { readonly: true });
    cleanups.unshift(() => db.close());
    expect(db.prepare('SELECT COUNT(*) FROM ran').pluck().get()).toBe(MIGRATIONS);
    expect(db.prepare('SELECT COUNT(*) FROM migrations').pluck().get()).toBe(MIGRATIONS);
  });
});
