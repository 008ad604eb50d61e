import type Database from 'better-sqlite3';
import type { Migration } from '../db/database.js';
import type { AuditDecider, AuditEntry, PermissionRule } from '../wire/permissions.js';
import { AUDIT_ROWS_MAX, AUDIT_SUMMARY_MAX_CHARS } from '../limits.js';

/** The audit table: one row per decision on a tool call. */
export const permissionMigrations: readonly Migration[] = [
  {
    id: '060_permission_audit',
    up: (db) =>
      db.exec(`
        CREATE TABLE permission_audit (
          id INTEGER PRIMARY KEY,
          at TEXT NOT NULL,
          source TEXT NOT NULL CHECK (source IN ('chat', 'workflow', 'tool_call')),
          conversation_id TEXT,
          workflow_id TEXT,
          tool TEXT NOT NULL,
          summary TEXT NOT NULL,
          decision TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
          decided_by TEXT NOT NULL,
          reason TEXT NOT NULL,
          rule TEXT,
          note TEXT
        );
        CREATE INDEX permission_audit_by_conversation ON permission_audit (conversation_id, id DESC);
        CREATE INDEX permission_audit_by_workflow ON permission_audit (workflow_id, id DESC);
      `),
  },
];


export type AuditRecord = Omit<AuditEntry, 'id' | 'at' | 'summary' | 'rule' | 'note' | 'conversation_id' | 'workflow_id'> & {
  args: Record<string, unknown>;
  conversation_id?: string | null;
  workflow_id?: string | null;
  rule?: PermissionRule | null;
  note?: string | null;
  at?: string;
};

interface Row {
  id: number;
  at: string;
  source: AuditEntry['source'];
  conversation_id: string | null;
  workflow_id: string | null;
  tool: string;
  summary: string;
  decision: AuditEntry['decision'];
  decided_by: AuditDecider;
  reason: string;
  rule: string | null;
  note: string | null;
}

/** Who decided what, stored in SQLite. */
export class AuditLog {
  readonly #insert: Database.Statement;
  readonly #prune: Database.Statement;
  #inserted = 0;

  constructor(private readonly db: Database.Database) {
    this.#insert = db.prepare(
      `INSERT INTO permission_audit (at, source, conversation_id, workflow_id, tool, summary, decision, decided_by, reason, rule, note)
       VALUES (@at, @source, @conversation_id, @workflow_id, @tool, @summary, @decision, @decided_by, @reason, @rule, @note)`,
    );
    this.#prune = db.prepare('DELETE FROM permission_audit WHERE id <= (SELECT max(id) FROM permission_audit) - ?');
  }

  record(entry: AuditRecord): void {
    const summary = JSON.stringify(entry.args);
    this.#insert.run({
      at: entry.at ?? new Date().toISOString(),
      source: entry.source,
      conversation_id: entry.conversation_id ?? null,
      workflow_id: entry.workflow_id ?? null,
      tool: entry.tool,
      summary: summary.length > AUDIT_SUMMARY_MAX_CHARS ? `${summary.slice(0, AUDIT_SUMMARY_MAX_CHARS)}…` : summary,
      decision: entry.decision,
      decided_by: entry.decided_by,
      reason: entry.reason,
      rule: entry.rule ? JSON.stringify(entry.rule) : null,
      note: entry.note ?? null,
    });
    if (++this.#inserted % 1000 === 0) this.#prune.run(AUDIT_ROWS_MAX);
  }

  /** Newest first. */
  list(query: { conversation_id?: string; workflow_id?: string; limit: number }): AuditEntry[] {
    const where: string[] = [];
    if (query.conversation_id) where.push('conversation_id = @conversation_id');
    if (query.workflow_id) where.push('workflow_id = @workflow_id');
    const rows = this.db
      .prepare(`SELECT * FROM permission_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`)
      .all({ conversation_id: query.conversation_id ?? null, workflow_id: query.workflow_id ?? null, limit: query.limit }) as Row[];
    return rows.map((r) => ({ ...r, rule: r.rule ? (JSON.parse(r.rule) as PermissionRule) : null }));
  }
}
