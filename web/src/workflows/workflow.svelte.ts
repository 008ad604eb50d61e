/**
 * The workflow the Workflows page shows: the stored workflow, the editor's draft of it, and the
 * run stream that keeps it live. One instance for the whole studio: leaving the page does not
 * stop following a run. Runs go on on the server whoever listens, so opening another workflow
 * just stops following this one.
 */
import type { StreamEnd } from '$wire/contract';
import type { PlanResponse, Workflow, WorkflowStreamEvent } from '$wire/workflow';
import { api, describeError } from '../lib/api';
import { t } from '../lib/i18n.svelte';
import { getStream, postStream } from '../lib/sse';
import { draftErrorsFrom, draftInput, draftOf, emptyDraft, isDirty, NO_DRAFT_ERRORS, type DraftErrors, type WorkflowDraft } from './draft';
import { applyWorkflowEvent, isBusy } from './run-events';

/** A stream this page follows: `run` started or continued a run here, `watch` re-subscribed to one under way. */
export type StreamKind = 'run' | 'watch';

/** What following a run takes: where to stop, and what to do with each of its events. */
interface Follow {
  signal: AbortSignal;
  onEvent: (event: WorkflowStreamEvent | StreamEnd) => void;
}

class WorkflowView {
  /** The id the page asked for (the route follows it); null while a new workflow is being planned or written. */
  requested = $state<string | null>(null);
  /** The stored workflow shown; deep state, so a stream's edits show as they land. */
  workflow = $state<Workflow | null>(null);
  /** The editor's copy; null when the steps show as a run. */
  draft = $state<WorkflowDraft | null>(null);
  errors = $state<DraftErrors>(NO_DRAFT_ERRORS);
  saving = $state(false);
  loading = $state(false);
  loadError = $state('');
  stream = $state<StreamKind | null>(null);
  /** Why the last run request was refused or its stream broke off. */
  streamError = $state('');
  /** Counts stored changes (planned, saved, run, approved): the sidebar reloads its list when it changes. */
  changes = $state(0);

  #controller: AbortController | null = null;

  /** Whether the draft differs from what is stored (a workflow not stored yet always does). */
  get dirty(): boolean {
    return this.draft !== null && isDirty(this.draft, this.workflow);
  }

  /** Shows a stored workflow (GET /api/workflow/{id}); one with a run under way is followed live. */
  async open(id: string): Promise<void> {
    this.#clear(id);
    this.loading = true;
    try {
      const workflow = await api.get('/api/workflow/:id', { params: { id } });
      if (this.requested === id) this.show(workflow);
    } catch (err) {
      if (this.requested === id) this.loadError = describeError(err);
    } finally {
      if (this.requested === id) this.loading = false;
    }
  }

  /** Shows `workflow` as stored; a draft opens in the editor, `waived` marking steps the planner turned approval off for. */
  show(workflow: Workflow, waived: readonly string[] = []): void {
    this.#clear(workflow.id);
    this.workflow = workflow;
    this.draft = workflow.status === 'draft' ? draftOf(workflow, waived) : null;
    if (workflow.status === 'running') void this.watch();
  }

  /** Shows a plan the server saved as a draft. */
  showPlanned(plan: PlanResponse): void {
    this.show(plan.workflow, plan.approval_waived);
    this.changes++;
  }

  /** Back to an empty page (the planner). */
  startNew(): void {
    this.#clear(null);
  }

  /** A workflow written by hand: the editor with one empty step; nothing is stored until saved. */
  writeByHand(goal: string): void {
    this.startNew();
    this.draft = emptyDraft(goal);
  }

  /** Opens the stored workflow in the editor (not while a run is under way). */
  edit(): void {
    if (this.workflow && !isBusy(this.workflow.status)) this.draft = draftOf(this.workflow);
    this.errors = NO_DRAFT_ERRORS;
  }

  /** Drops the draft's edits: a stored workflow shows again, a new one goes back to the planner. */
  cancelEdit(): void {
    if (!this.workflow) return this.startNew();
    this.draft = this.workflow.status === 'draft' ? draftOf(this.workflow) : null;
    this.errors = NO_DRAFT_ERRORS;
  }

  /** Stores the draft (POST for a new workflow, PUT otherwise); answers whether it went through. */
  async save(): Promise<boolean> {
    const draft = this.draft;
    if (!draft) return true;
    const { input, errors } = draftInput(draft);
    if (errors) {
      this.errors = errors;
      return false;
    }
    this.saving = true;
    this.errors = NO_DRAFT_ERRORS;
    try {
      const saved = this.workflow
        ? await api.put('/api/workflow/:id', { params: { id: this.workflow.id }, body: input })
        : await api.post('/api/workflow', { body: input });
      this.requested = saved.id;
      this.workflow = saved;
      this.draft = draftOf(saved);
      this.changes++;
      return true;
    } catch (err) {
      this.errors = draftErrorsFrom(err, draft.steps.length);
      return false;
    } finally {
      this.saving = false;
    }
  }

  /** Runs the workflow (saving the draft first when it has edits) and follows the run live. */
  async run(): Promise<void> {
    if (this.stream || this.saving) return;
    if (this.dirty && !(await this.save())) return;
    const id = this.workflow?.id;
    if (!id) return;
    this.draft = null;
    await this.#follow('run', id, (follow) => postStream('/api/workflow/execute/:id', { params: { id }, query: { stream: 'true' }, ...follow }));
  }

  /** Approves or rejects the step awaiting approval, with an optional note, and follows what comes next. */
  async decide(approve: boolean, note: string): Promise<void> {
    const id = this.workflow?.id;
    if (!id || this.stream) return;
    const body = { approve, ...(note.trim() && { note: note.trim() }) };
    await this.#follow('run', id, (follow) => postStream('/api/workflow/approve/:id', { params: { id }, query: { stream: 'true' }, body, ...follow }));
  }

  /** Re-subscribes to the shown workflow's run (GET …/events): a snapshot, then live events until it stops. */
  async watch(): Promise<void> {
    const id = this.workflow?.id;
    if (!id || this.stream) return;
    await this.#follow('watch', id, (follow) => getStream('/api/workflow/:id/events', { params: { id }, ...follow }));
  }

  /** After a workflow was deleted: if it is the one shown, the page goes back to the planner. */
  forget(id: string): void {
    if (this.requested === id) this.startNew();
  }

  /**
   * Follows one stream into the shown workflow until the server ends it with `done`, then reads
   * the workflow again (its run history). A stream cut short is said; a run still going on then
   * is re-subscribed to once.
   */
  async #follow(kind: StreamKind, id: string, start: (follow: Follow) => Promise<void>): Promise<void> {
    const controller = new AbortController();
    this.#controller = controller;
    this.stream = kind;
    this.streamError = '';
    let done = false;
    try {
      await start({
        signal: controller.signal,
        onEvent: (event) => {
          if ('done' in event) done = true;
          // The stream failed (the run itself may go on): said like a stream cut short.
          else if ('code' in event) this.streamError = event.error;
          else if (this.workflow?.id === id) this.workflow = applyWorkflowEvent(this.workflow, event);
        },
      });
      if (!done) this.streamError = t('workflows.cut_short');
    } catch (err) {
      if (!controller.signal.aborted) this.streamError = describeError(err);
    } finally {
      if (this.#controller === controller) {
        this.#controller = null;
        this.stream = null;
      }
    }
    if (controller.signal.aborted) return;
    this.changes++;
    await this.#reload(id);
    if (kind === 'run' && this.workflow?.id === id && this.workflow.status === 'running') void this.watch();
  }

  /** Reads the shown workflow again, keeping what is shown when that fails. */
  async #reload(id: string): Promise<void> {
    try {
      const workflow = await api.get('/api/workflow/:id', { params: { id } });
      if (this.workflow?.id === id && !this.stream) this.workflow = workflow;
    } catch {
      // The streamed state stays; the next open reads it again.
    }
  }

  /** Stops following the shown workflow's run (the run goes on without us). */
  #detach(): void {
    this.#controller?.abort();
    this.#controller = null;
    this.stream = null;
  }

  /** Forgets what is shown (and stops following its run) before showing `requested`. */
  #clear(requested: string | null): void {
    this.#detach();
    this.requested = requested;
    this.workflow = null;
    this.draft = null;
    this.errors = NO_DRAFT_ERRORS;
    this.loadError = '';
    this.loading = false;
    this.streamError = '';
  }
}

/** The Workflows page's one workflow view. */
export const workflowView = new WorkflowView();
