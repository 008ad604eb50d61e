import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** A schema change a capability contributes; `id` orders and identifies it forever. */
export interface Migration {
  /** e.g. "001_system_tool_scans" — never rename one that has shipped. */
  id: string;
  up: (db: Database.Database) => void;
}

/**
 * Opens (creating) the SQLite file in WAL mode with foreign keys on. The file is owner-only
 * before WAL starts, so the -wal and -shm files SQLite creates inherit that mode.
 */
export function openDatabase(file: string): Database.Database {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file);
  chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  return db;
}

/**
 * Applies, in order and each in its own transaction, the migrations not yet recorded. Returns
 * the ids applied. Safe when another process migrates the same file at once: each transaction
 * is IMMEDIATE (it takes the write lock first, waiting up to busy_timeout) and asks again
 * inside it whether the migration is recorded, so a migration the other process applied
 * meanwhile is skipped rather than run twice.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): string[] {
  const ids = new Set<string>();
  for (const m of migrations) {
    if (ids.has(m.id)) throw new Error(`Duplicate migration id ${m.id}`);
    ids.add(m.id);
  }
  db.exec('CREATE TABLE IF NOT EXISTS migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const isApplied = db.prepare('SELECT 1 FROM migrations WHERE id = ?').pluck();
  const record = db.prepare('INSERT INTO migrations (id, applied_at) VALUES (?, ?)');
  const apply = db.transaction((m: Migration): boolean => {
    if (isApplied.get(m.id) !== undefined) return false;
    m.up(db);
    record.run(m.id, new Date().toISOString());
    return true;
  });
  const applied = new Set(db.prepare('SELECT id FROM migrations').pluck().all() as string[]);
  const done: string[] = [];
  for (const m of migrations) {
    if (!applied.has(m.id) && apply.immediate(m)) done.push(m.id);
  }
  return done;
}
