import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Migration } from '../../server/src/db/database.js';
import { tempDir } from '../helpers/temp.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));
function dbFile(): string {
  const t = tempDir();
  cleanups.push(t.remove);
  return join(t.dir, 'atelier.db');
}

const notes: Migration = { id: '001_notes', up: (db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)') };
const tags: Migration = { id: '002_tags', up: (db) => db.exec('ALTER TABLE notes ADD COLUMN tag TEXT') };

describe('database', () => {
  it('opens in WAL mode with an owner-only file', () => {
    const file = dbFile();
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.exec('CREATE TABLE t (x)');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    db.close();
  });

  it('applies each migration once, in order, across reopenings', () => {
    const file = dbFile();
    let db = openDatabase(file);
    expect(migrate(db, [notes])).toEqual(['001_notes']);
    db.prepare('INSERT INTO notes (body) VALUES (?)').run('kept');
    db.close();
    db = openDatabase(file);
    expect(migrate(db, [notes, tags])).toEqual(['002_tags']);
    expect(migrate(db, [notes, tags])).toEqual([]);
    expect(db.prepare('SELECT body, tag FROM notes').get()).toEqual({ body: 'kept', tag: null });
    db.close();
  });

  it('rolls back a failing migration entirely and records nothing', () => {
    const db = openDatabase(dbFile());
    const broken: Migration = {
      id: '003_broken',
      up: (d) => {
        d.exec('CREATE TABLE half (x)');
        d.exec('THIS IS NOT SQL');
      },
    };
    expect(() => migrate(db, [notes, broken])).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect(db.prepare('SELECT id FROM migrations').pluck().all()).toEqual(['001_notes']);
    db.close();
  });

  it('refuses two migrations with the same id', () => {
    const db = openDatabase(dbFile());
    expect(() => migrate(db, [notes, { ...tags, id: '001_notes' }])).toThrow(/Duplicate/);
    db.close();
  });

  it('has FTS5 compiled in (conversations search depends on it)', () => {
    const db = openDatabase(dbFile());
    db.exec("CREATE VIRTUAL TABLE docs USING fts5(body); INSERT INTO docs VALUES ('hello world')");
    expect(db.prepare("SELECT count(*) FROM docs WHERE docs MATCH 'hello'").pluck().get()).toBe(1);
    db.close();
  });
});
