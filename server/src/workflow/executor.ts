import type { Logger } from 'pino';
import type { Lifecycle } from '../lifecycle.js';
import type { Workflow, WorkflowStatus, WorkflowStep, WorkflowStreamEvent } from '../wire/workflow.js';
import { LiveOutput, unstreamed } from './live-output.js';
import type { StepRunner } from './step-runner.js';
import type { WorkflowStore } from './store.js';
import { WORKFLOW_LIVE_OUTPUT_MAX_CHARS } from '../limits.js';

/** The running step's output reaches SQLite at most this often while it streams. */
const OUTPUT_FLUSH_MS = 500;

type Listener = (event: WorkflowStreamEvent) => void;

/** A run in progress: who listens, and the running step's output so far. */
interface LiveRun {
  listeners: Set<Listener>;
  stepId: string | null;
  output: LiveOutput;
  abort: AbortController;
}

/** A subscription: the workflow as it stands, then events until `ended` resolves. */
export interface Subscription {
  snapshot: Workflow;
  /** Resolves when the run stops (at once when nothing runs). */
  ended: Promise<void>;
  unsubscribe(): void;
}

const now = (): string => new Date().toISOString();

/**
 * Runs workflows on the server, one driver per running workflow, independent of any client:
 * subscribers come and go. A gated step ends the run in `awaiting_approval`; `approve`
 * starts a new driver from that step. At shutdown drivers stop touching the database, so a
 * step that was running is found `running` at the next start and marked interrupted.
 */
export class WorkflowExecutor {
  readonly #live = new Map<string, LiveRun>();
  readonly #ended = new Map<string, { promise: Promise<void>; resolve: () => void }>();

  constructor(
    private readonly store: WorkflowStore,
    private readonly runner: StepRunner,
    private readonly lifecycle: Lifecycle,
    private readonly log: Logger,
  ) {
    lifecycle.onClose(() => {
      for (const live of this.#live.values()) live.abort.abort();
    });
  }

  /** Starts a run (409 WORKFLOW_BUSY when one is under way or waiting); subscribe right after to follow it. */
  execute(id: string): void {
    this.store.startRun(id);
    this.#drive(id);
  }

  /** Approves or rejects the waiting step (409 NOTHING_TO_APPROVE otherwise); approval continues the run. */
  approve(id: string, approve: boolean, note: string | null): void {
    this.store.decide(id, approve, note);
    if (approve) this.#drive(id);
  }

  /** True while a driver runs the workflow. */
  isRunning(id: string): boolean {
    return this.#live.has(id);
  }

  /** Follows a workflow: its current state (with the running step's live output), then its events. */
  subscribe(id: string, listener: Listener): Subscription {
    const snapshot = this.store.require(id);
    const live = this.#live.get(id);
    if (!live) return { snapshot, ended: Promise.resolve(), unsubscribe: () => {} };
    const step = snapshot.steps.find((s) => s.id === live.stepId);
    if (step) step.output = live.output.text();
    live.listeners.add(listener);
    return { snapshot, ended: this.#ended.get(id)!.promise, unsubscribe: () => live.listeners.delete(listener) };
  }

  /** Starts the driver; the first event goes out on a later tick, after the caller subscribed. */
  #drive(id: string): void {
    const live: LiveRun = { listeners: new Set(), stepId: null, output: new LiveOutput(WORKFLOW_LIVE_OUTPUT_MAX_CHARS), abort: new AbortController() };
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.#live.set(id, live);
    this.#ended.set(id, { promise, resolve });
    setImmediate(() => {
      this.#loop(id, live)
        .catch((err: unknown) => this.#crashed(id, live, err))
        .finally(() => {
          this.#live.delete(id);
          this.#ended.delete(id);
          resolve();
        });
    });
  }

  async #loop(id: string, live: LiveRun): Promise<void> {
    const emit = (event: WorkflowStreamEvent): void => {
      for (const listener of live.listeners) listener(event);
    };
    for (;;) {
      if (this.lifecycle.closing) return;
      const steps = this.store.steps(id);
      const step = steps.find((s) => s.status === 'pending');
      if (!step) return this.#finish(id, 'done', null, emit);
      const gate = await this.runner.gate(this.store.require(id), step);
      if (this.lifecycle.closing) return;
      if (!gate.run && gate.wait) {
        this.store.updateStep(id, step.id, { status: 'awaiting_approval', approval: gate.approval });
        emit({ step: { id: step.id, status: 'awaiting_approval', approval: gate.approval } });
        this.store.setStatus(id, 'awaiting_approval');
        emit({ status: 'awaiting_approval' });
        return;
      }
      if (!gate.run) {
        // Denied by a rule, the mode or the sudo guard: the step fails with the reason and nothing runs.
        const finished_at = now();
        const output = gate.sudo_blocked ? gate.reason : `Permission denied: ${gate.reason}`;
        this.store.updateStep(id, step.id, { status: 'failed', output, sudo_blocked: gate.sudo_blocked, finished_at });
        emit({ output: { step_id: step.id, chunk: output } });
        emit({ step: { id: step.id, status: 'failed', sudo_blocked: gate.sudo_blocked, finished_at } });
        const why = gate.sudo_blocked ? `Step "${step.title}" was blocked: it would run sudo` : `Step "${step.title}" was denied: ${gate.reason}`;
        return this.#fail(id, step.id, steps, why, emit);
      }
      const started_at = now();
      this.store.updateStep(id, step.id, { status: 'running', started_at });
      emit({ step: { id: step.id, status: 'running', started_at } });
      live.stepId = step.id;
      live.output = new LiveOutput(WORKFLOW_LIVE_OUTPUT_MAX_CHARS);
      let flushed = 0;
      const outcome = await this.runner.run(
        this.store.require(id),
        step,
        live.abort.signal,
        (text) => {
          live.output.append(text);
          emit({ output: { step_id: step.id, chunk: text } });
          if (Date.now() - flushed >= OUTPUT_FLUSH_MS && !this.lifecycle.closing) {
            flushed = Date.now();
            this.store.setOutput(id, step.id, live.output.text());
          }
        },
        gate.agentScope,
      );
      // Shutting down: leave the step `running`; the next start marks it interrupted.
      if (this.lifecycle.closing) return;
      // What the live chunks did not show (the exit line, a sudo refusal, a tool's whole answer).
      const rest = unstreamed(live.output, outcome.output);
      if (rest) emit({ output: { step_id: step.id, chunk: rest } });
      live.stepId = null;
      const finished_at = now();
      const status = outcome.ok ? 'done' : 'failed';
      this.store.updateStep(id, step.id, { status, output: outcome.output, exit_code: outcome.exit_code, sudo_blocked: outcome.sudo_blocked, finished_at });
      emit({ step: { id: step.id, status, exit_code: outcome.exit_code, sudo_blocked: outcome.sudo_blocked, finished_at } });
      if (!outcome.ok) return this.#fail(id, step.id, steps, outcome.sudo_blocked ? `Step "${step.title}" was blocked: it would run sudo` : `Step "${step.title}" failed`, emit);
    }
  }

  /** A step failed: the later ones are skipped and the workflow fails with why. */
  #fail(id: string, stepId: string, steps: readonly WorkflowStep[], why: string, emit: (event: WorkflowStreamEvent) => void): void {
    this.store.skipPending(id);
    for (const later of steps.filter((s) => s.status === 'pending' && s.id !== stepId)) emit({ step: { id: later.id, status: 'skipped' } });
    this.#finish(id, 'failed', why, emit);
  }

  #finish(id: string, status: WorkflowStatus, error: string | null, emit: (event: WorkflowStreamEvent) => void): void {
    this.store.setStatus(id, status, error);
    if (error) emit({ error });
    emit({ status });
  }

  /** A bug or a database error inside the driver: the workflow fails with the reason rather than staying `running`. */
  #crashed(id: string, live: LiveRun, err: unknown): void {
    if (this.lifecycle.closing) return;
    this.log.error({ err, workflow: id }, 'workflow run crashed');
    const message = `The run stopped on an internal error: ${err instanceof Error ? err.message : String(err)}`;
    try {
      if (live.stepId) this.store.updateStep(id, live.stepId, { status: 'failed', finished_at: now() } satisfies Partial<WorkflowStep>);
      this.store.skipPending(id);
      this.store.setStatus(id, 'failed', message);
    } catch (again) {
      this.log.error({ err: again, workflow: id }, 'could not record the crashed run');
    }
    for (const listener of live.listeners) {
      listener({ error: message });
      listener({ status: 'failed' });
    }
  }
}
