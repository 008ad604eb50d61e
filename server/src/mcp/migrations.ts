import type { Migration } from '../db/database.js';

/**
 * Atelier's own MCP servers (the `atelier` editor target). SQLite rather than config.json: the
 * config store is the profile and providers, versioned in generations for rollback; a server
 * list toggled from the studio and read by the chat is state, like conversations.
 */
export const mcpMigrations: readonly Migration[] = [
  {
    id: '050_mcp_servers',
    up: (db) => {
      db.exec(`
        CREATE TABLE mcp_servers (
          name TEXT PRIMARY KEY,
          -- The registry id it was configured from.
          registry_id TEXT NOT NULL,
          -- How to reach it, secrets included (the database file is owner-only).
          launch TEXT NOT NULL CHECK (json_valid(launch)),
          -- The same with secrets as "***", for answers.
          shown TEXT NOT NULL CHECK (json_valid(shown)),
          enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
      `);
    },
  },
];
