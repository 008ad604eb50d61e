import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError } from '../http/errors.js';
import type { StepApproval, StepInput, StepStatus, Workflow, WorkflowInput, WorkflowRun, WorkflowStatus, WorkflowStep, WorkflowSummary } from '../wire/workflow.js';
import { isRiskyStep } from './risk.js';

interface StepRow {
  id: string;
  title: string;
  kind: WorkflowStep['kind'];
  command: string | null;
  tool: string | null;
  args: string | null;
  prompt: string | null;
  agent: WorkflowStep['agent'] | null;
  requires_approval: number;
  risky: number;
  status: StepStatus;
  approved: number;
  output: string;
  exit_code: number | null;
  sudo_blocked: number;
  note: string | null;
  approval: string | null;
  started_at: string | null;
  finished_at: string | null;
}

interface WorkflowRow {
  id: string;
  title: string;
  goal: string;
  status: WorkflowStatus;
  error: string | null;
  created_at: string;
  updated_at: string;
}

/** A step as the executor sees it: the wire shape plus whether a person approved it in this run. */
export type StoredStep = WorkflowStep & { approved: boolean };

/** Statuses in which a workflow belongs to a run and cannot be edited, deleted or started again. */
const BUSY: ReadonlySet<WorkflowStatus> = new Set(['running', 'awaiting_approval']);

function stepOf(row: StepRow): StoredStep {
  return {
    id: row.id,
    title: row.title,
    kind: row.kind,
    ...(row.command !== null && { command: row.command }),
    ...(row.tool !== null && { tool: row.tool }),
    ...(row.args !== null && { args: JSON.parse(row.args) as Record<string, unknown> }),
    ...(row.prompt !== null && { prompt: row.prompt }),
    ...(row.agent !== null && { agent: row.agent }),
    requires_approval: row.requires_approval === 1,
    risky: row.risky === 1,
    status: row.status,
    approved: row.approved === 1,
    output: row.output,
    exit_code: row.exit_code,
    sudo_blocked: row.sudo_blocked === 1,
    note: row.note,
    approval: row.approval === null ? null : (JSON.parse(row.approval) as StepApproval),
    started_at: row.started_at,
    finished_at: row.finished_at,
  };
}

const now = (): string => new Date().toISOString();

/**
 * Workflows in SQLite. Every state change is one statement or one transaction, so a run that
 * stops at any point (crash, restart) leaves a workflow that `recoverInterrupted` can explain.
 */
export class WorkflowStore {
  readonly #db: Database.Database;
  readonly #stmts;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#stmts = {
      workflow: db.prepare<[string], WorkflowRow>('SELECT * FROM workflows WHERE id = ?'),
      steps: db.prepare<[string], StepRow>('SELECT * FROM workflow_steps WHERE workflow_id = ? ORDER BY position'),
      runs: db.prepare<[string], WorkflowRun>('SELECT id, status, started_at, finished_at FROM workflow_runs WHERE workflow_id = ? ORDER BY id DESC'),
      insertStep: db.prepare(
        `INSERT INTO workflow_steps (workflow_id, position, id, title, kind, command, tool, args, prompt, agent, requires_approval, risky, status)
         VALUES (@workflow_id, @position, @id, @title, @kind, @command, @tool, @args, @prompt, @agent, @requires_approval, @risky, 'pending')`,
      ),
      setStatus: db.prepare('UPDATE workflows SET status = ?, error = ?, updated_at = ? WHERE id = ?'),
      touch: db.prepare('UPDATE workflows SET updated_at = ? WHERE id = ?'),
      setRunStatus: db.prepare('UPDATE workflow_runs SET status = ?, finished_at = ? WHERE id = (SELECT max(id) FROM workflow_runs WHERE workflow_id = ?)'),
      setOutput: db.prepare('UPDATE workflow_steps SET output = ? WHERE workflow_id = ? AND id = ?'),
    };
  }

  /** Saves a new draft. */
  create(input: WorkflowInput): Workflow {
    const id = randomUUID();
    const at = now();
    this.#db.transaction(() => {
      this.#db
        .prepare('INSERT INTO workflows (id, title, goal, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, input.title, input.goal ?? '', 'draft', at, at);
      this.#insertSteps(id, input.steps);
    })();
    return this.require(id);
  }

  /** Replaces title, goal and steps of a workflow that is not running; it becomes a draft again. */
  replace(id: string, input: WorkflowInput): Workflow {
    this.#db.transaction(() => {
      this.#requireIdle(id, 'edited');
      this.#db.prepare("UPDATE workflows SET title = ?, goal = ?, status = 'draft', error = NULL, updated_at = ? WHERE id = ?").run(input.title, input.goal ?? '', now(), id);
      this.#db.prepare('DELETE FROM workflow_steps WHERE workflow_id = ?').run(id);
      this.#insertSteps(id, input.steps);
    })();
    return this.require(id);
  }

  delete(id: string): void {
    this.#db.transaction(() => {
      this.#requireIdle(id, 'deleted');
      this.#db.prepare('DELETE FROM workflows WHERE id = ?').run(id);
    })();
  }

  get(id: string): Workflow | undefined {
    const row = this.#stmts.workflow.get(id);
    if (!row) return undefined;
    return { ...row, steps: this.steps(id).map(({ approved: _approved, ...step }) => step), runs: this.#stmts.runs.all(id) };
  }

  /** The workflow, or 404. */
  require(id: string): Workflow {
    const workflow = this.get(id);
    if (!workflow) throw new AppError(404, 'NOT_FOUND', `No workflow with id "${id}"`);
    return workflow;
  }

  steps(id: string): StoredStep[] {
    return this.#stmts.steps.all(id).map(stepOf);
  }

  list(): WorkflowSummary[] {
    return this.#db
      .prepare<[], WorkflowSummary>(
        `SELECT w.id, w.title, w.goal, w.status, w.created_at, w.updated_at,
                count(s.id) AS steps, coalesce(sum(s.status = 'done'), 0) AS steps_done
           FROM workflows w LEFT JOIN workflow_steps s ON s.workflow_id = w.id
          GROUP BY w.id ORDER BY w.updated_at DESC, w.rowid DESC`,
      )
      .all();
  }

  /**
   * Starts a run: the workflow must exist and not be running or waiting (409 WORKFLOW_BUSY).
   * Every step goes back to pending with its output cleared; a run row opens the history entry.
   */
  startRun(id: string): void {
    this.#db.transaction(() => {
      this.#requireIdle(id, 'started');
      this.#db
        .prepare(
          "UPDATE workflow_steps SET status = 'pending', approved = 0, output = '', exit_code = NULL, sudo_blocked = 0, note = NULL, approval = NULL, started_at = NULL, finished_at = NULL WHERE workflow_id = ?",
        )
        .run(id);
      const at = now();
      this.#stmts.setStatus.run('running', null, at, id);
      this.#db.prepare('INSERT INTO workflow_runs (workflow_id, status, started_at) VALUES (?, ?, ?)').run(id, 'running', at);
    })();
  }

  /**
   * Settles the step that awaits approval, once: a second concurrent decision finds nothing
   * waiting and gets 409 NOTHING_TO_APPROVE. Approve: the step is pending again, marked
   * approved, and the workflow running. Reject: the step is rejected, later steps skipped,
   * and the workflow and its run end `rejected`.
   */
  decide(id: string, approve: boolean, note: string | null): StoredStep {
    return this.#db.transaction(() => {
      const workflow = this.require(id);
      const waiting = this.steps(id).find((s) => s.status === 'awaiting_approval');
      if (workflow.status !== 'awaiting_approval' || !waiting) {
        throw new AppError(409, 'NOTHING_TO_APPROVE', `Workflow "${workflow.title}" has no step awaiting approval (it is ${workflow.status})`);
      }
      const at = now();
      if (approve) {
        this.#db.prepare("UPDATE workflow_steps SET status = 'pending', approved = 1, note = ?, approval = NULL WHERE workflow_id = ? AND id = ?").run(note, id, waiting.id);
        this.#stmts.setStatus.run('running', null, at, id);
        this.#stmts.setRunStatus.run('running', null, id);
      } else {
        this.#db.prepare("UPDATE workflow_steps SET status = 'rejected', note = ?, approval = NULL, finished_at = ? WHERE workflow_id = ? AND id = ?").run(note, at, id, waiting.id);
        this.#db.prepare("UPDATE workflow_steps SET status = 'skipped' WHERE workflow_id = ? AND status = 'pending'").run(id);
        this.#stmts.setStatus.run('rejected', null, at, id);
        this.#stmts.setRunStatus.run('rejected', at, id);
      }
      return this.steps(id).find((s) => s.id === waiting.id)!;
    })();
  }

  /** Records a step's new state; returns the fields written. */
  updateStep(id: string, stepId: string, fields: Partial<Pick<WorkflowStep, 'status' | 'output' | 'exit_code' | 'sudo_blocked' | 'approval' | 'started_at' | 'finished_at'>>): void {
    const columns = Object.keys(fields);
    if (columns.length === 0) return;
    const values = Object.values(fields).map((v) => (typeof v === 'boolean' ? Number(v) : v !== null && typeof v === 'object' ? JSON.stringify(v) : v));
    this.#db.prepare(`UPDATE workflow_steps SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE workflow_id = ? AND id = ?`).run(...values, id, stepId);
    this.#stmts.touch.run(now(), id);
  }

  setOutput(id: string, stepId: string, output: string): void {
    this.#stmts.setOutput.run(output, id, stepId);
  }

  /** Pending steps after a failure: they will not run in this run. */
  skipPending(id: string): void {
    this.#db.prepare("UPDATE workflow_steps SET status = 'skipped' WHERE workflow_id = ? AND status = 'pending'").run(id);
  }

  /** The workflow's status, mirrored on its current run; a final status closes the run. */
  setStatus(id: string, status: WorkflowStatus, error: string | null = null): void {
    const at = now();
    const final = status === 'done' || status === 'failed' || status === 'rejected';
    this.#db.transaction(() => {
      this.#stmts.setStatus.run(status, error, at, id);
      this.#stmts.setRunStatus.run(status, final ? at : null, id);
    })();
  }

  /**
   * After a restart: a step that was running when the server stopped failed as interrupted,
   * its workflow and run failed with it. Steps awaiting approval keep waiting.
   */
  recoverInterrupted(): string[] {
    return this.#db.transaction(() => {
      const ids = this.#db.prepare<[], { id: string }>("SELECT id FROM workflows WHERE status = 'running'").all().map((r) => r.id);
      const at = now();
      for (const id of ids) {
        this.#db
          .prepare(
            "UPDATE workflow_steps SET status = 'failed', finished_at = ?, output = output || CASE WHEN output = '' OR substr(output, -1) = char(10) THEN '' ELSE char(10) END || '[interrupted: the server stopped while this step ran]' WHERE workflow_id = ? AND status = 'running'",
          )
          .run(at, id);
        this.skipPending(id);
        this.#stmts.setStatus.run('failed', 'Interrupted: the server stopped during the run', at, id);
        this.#stmts.setRunStatus.run('failed', at, id);
      }
      return ids;
    })();
  }

  #requireIdle(id: string, what: string): Workflow {
    const workflow = this.require(id);
    if (BUSY.has(workflow.status)) {
      throw new AppError(409, 'WORKFLOW_BUSY', `Workflow "${workflow.title}" is ${workflow.status.replace('_', ' ')}; it cannot be ${what} now`);
    }
    return workflow;
  }

  #insertSteps(workflowId: string, steps: readonly StepInput[]): void {
    steps.forEach((step, index) => {
      const risky = isRiskyStep(step);
      this.#stmts.insertStep.run({
        workflow_id: workflowId,
        position: index,
        id: `s${index + 1}`,
        title: step.title,
        kind: step.kind,
        command: step.command ?? null,
        tool: step.tool ?? null,
        args: step.args === undefined ? null : JSON.stringify(step.args),
        prompt: step.prompt ?? null,
        agent: step.agent ?? null,
        requires_approval: Number(step.requires_approval ?? risky),
        risky: Number(risky),
      });
    });
  }
}
