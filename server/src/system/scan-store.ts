import type Database from 'better-sqlite3';
import { z } from 'zod';
import { TOOL_SCANS_KEPT } from '../limits.js';
import { ToolStatusSchema, type ScanResult } from '../wire/system.js';

interface ScanRow {
  started_at: string;
  finished_at: string;
  duration_ms: number;
  tools_json: string;
}

/** Completed scans in SQLite (table `tool_scans`), so the dashboard has data right after a restart. */
export class ScanStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Records a scan and prunes all but the latest TOOL_SCANS_KEPT. */
  save(scan: ScanResult): void {
    this.#db.transaction(() => {
      this.#db
        .prepare('INSERT INTO tool_scans (started_at, finished_at, duration_ms, tools_json) VALUES (?, ?, ?, ?)')
        .run(scan.started_at, scan.finished_at, scan.duration_ms, JSON.stringify(scan.tools));
      this.#db.prepare('DELETE FROM tool_scans WHERE id NOT IN (SELECT id FROM tool_scans ORDER BY id DESC LIMIT ?)').run(TOOL_SCANS_KEPT);
    })();
  }

  /**
   * The latest scan, or null when there is none. A row this version cannot read (written by
   * another version of Atelier) counts as none: the startup rescan replaces it soon.
   */
  latest(): ScanResult | null {
    const row = this.#db.prepare('SELECT started_at, finished_at, duration_ms, tools_json FROM tool_scans ORDER BY id DESC LIMIT 1').get() as ScanRow | undefined;
    if (!row) return null;
    let json: unknown;
    try {
      json = JSON.parse(row.tools_json);
    } catch {
      return null;
    }
    const tools = z.array(ToolStatusSchema).safeParse(json);
    if (!tools.success) return null;
    return { started_at: row.started_at, finished_at: row.finished_at, duration_ms: row.duration_ms, tools: tools.data };
  }

  /** How many scans are stored. */
  count(): number {
    return this.#db.prepare('SELECT COUNT(*) FROM tool_scans').pluck().get() as number;
  }
}
