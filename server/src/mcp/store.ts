import type Database from 'better-sqlite3';
import { AppError } from '../http/errors.js';
import type { Launch } from './launch.js';

/** One of Atelier's own servers as stored. */
export interface StoredMcpServer {
  name: string;
  registryId: string;
  launch: Launch;
  /** The launch with secrets as "***". */
  shown: Launch;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  name: string;
  registry_id: string;
  launch: string;
  shown: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

function fromRow(row: Row): StoredMcpServer {
  return {
    name: row.name,
    registryId: row.registry_id,
    launch: JSON.parse(row.launch) as Launch,
    shown: JSON.parse(row.shown) as Launch,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Atelier's MCP servers in SQLite (table mcp_servers, migration 050). */
export class McpServerStore {
  readonly #stmts;

  constructor(db: Database.Database) {
    this.#stmts = {
      all: db.prepare<[], Row>('SELECT * FROM mcp_servers ORDER BY name'),
      one: db.prepare<[string], Row>('SELECT * FROM mcp_servers WHERE name = ?'),
      upsert: db.prepare(
        `INSERT INTO mcp_servers (name, registry_id, launch, shown, enabled, created_at, updated_at) VALUES (@name, @registry_id, @launch, @shown, 1, @now, @now)
         ON CONFLICT (name) DO UPDATE SET registry_id = @registry_id, launch = @launch, shown = @shown, enabled = 1, updated_at = @now`,
      ),
      enable: db.prepare('UPDATE mcp_servers SET enabled = ?, updated_at = ? WHERE name = ?'),
      remove: db.prepare('DELETE FROM mcp_servers WHERE name = ?'),
    };
  }

  /** Every server, by name. */
  list(): StoredMcpServer[] {
    return this.#stmts.all.all().map(fromRow);
  }

  /** The enabled servers: those whose tools the chat offers. */
  enabled(): StoredMcpServer[] {
    return this.list().filter((s) => s.enabled);
  }

  get(name: string): StoredMcpServer | undefined {
    const row = this.#stmts.one.get(name);
    return row && fromRow(row);
  }

  /** The server, or 404 NOT_FOUND naming it. */
  require(name: string): StoredMcpServer {
    const server = this.get(name);
    if (!server) throw new AppError(404, 'NOT_FOUND', `Atelier has no MCP server named "${name}"`);
    return server;
  }

  /** Adds a server, or replaces the one of the same name; either way it is enabled. Answers whether one was replaced. */
  put(name: string, registryId: string, launch: Launch, shown: Launch): boolean {
    const replaced = this.get(name) !== undefined;
    this.#stmts.upsert.run({ name, registry_id: registryId, launch: JSON.stringify(launch), shown: JSON.stringify(shown), now: new Date().toISOString() });
    return replaced;
  }

  setEnabled(name: string, enabled: boolean): StoredMcpServer {
    this.require(name);
    this.#stmts.enable.run(enabled ? 1 : 0, new Date().toISOString(), name);
    return this.require(name);
  }

  remove(name: string): void {
    this.require(name);
    this.#stmts.remove.run(name);
  }
}
