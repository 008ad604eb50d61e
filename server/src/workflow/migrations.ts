import type { Migration } from '../db/database.js';

/** Tables of the workflow capability: workflows, their ordered steps, and one row per run. */
export const workflowMigrations: readonly Migration[] = [
  {
    id: '040_workflows',
    up: (db) => {
      db.exec(`
        CREATE TABLE workflows (
          id TEXT PRIMARY KEY,
          title TEXT NOT NULL,
          goal TEXT NOT NULL DEFAULT '',
          status TEXT NOT NULL CHECK (status IN ('draft', 'running', 'awaiting_approval', 'done', 'failed', 'rejected')),
          error TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        CREATE INDEX workflows_by_update ON workflows (updated_at DESC);

        CREATE TABLE workflow_steps (
          workflow_id TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
          position INTEGER NOT NULL,
          id TEXT NOT NULL,
          title TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('shell', 'tool', 'prompt', 'agent')),
          command TEXT,
          tool TEXT,
          args TEXT CHECK (args IS NULL OR json_valid(args)),
          prompt TEXT,
          agent TEXT,
          requires_approval INTEGER NOT NULL CHECK (requires_approval IN (0, 1)),
          risky INTEGER NOT NULL DEFAULT 0 CHECK (risky IN (0, 1)),
          status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'awaiting_approval', 'done', 'failed', 'skipped', 'rejected')),
          -- Set when a person approved this step in the current run, so the run does not ask twice.
          approved INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1)),
          output TEXT NOT NULL DEFAULT '',
          exit_code INTEGER,
          sudo_blocked INTEGER NOT NULL DEFAULT 0 CHECK (sudo_blocked IN (0, 1)),
          note TEXT,
          started_at TEXT,
          finished_at TEXT,
          PRIMARY KEY (workflow_id, id),
          UNIQUE (workflow_id, position)
        );

        CREATE TABLE workflow_runs (
          id INTEGER PRIMARY KEY,
          workflow_id TEXT NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
          status TEXT NOT NULL,
          started_at TEXT NOT NULL,
          finished_at TEXT
        );
        CREATE INDEX workflow_runs_by_workflow ON workflow_runs (workflow_id, id);
      `);
    },
  },
  {
    // Why a waiting step waits (the plan's gate or the permission policy) and its preview, as JSON (issue 16).
    id: '041_workflow_step_approval',
    up: (db) => {
      db.exec('ALTER TABLE workflow_steps ADD COLUMN approval TEXT CHECK (approval IS NULL OR json_valid(approval))');
    },
  },
];
