import type { Migration } from '../db/database.js';

/** Tables of the system capability. */
export const systemMigrations: readonly Migration[] = [
  {
    id: '001_system_tool_scans',
    up: (db) => {
      // tools_json holds ToolStatus[] as the wire has it; a scan is read and written whole.
      db.exec(`CREATE TABLE tool_scans (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        tools_json TEXT NOT NULL
      )`);
    },
  },
];
