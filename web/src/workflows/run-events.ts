/**
 * A run's SSE events folded into the workflow the page shows, and the look of each status.
 * No view code and no requests here: the session holds the workflow as state, and whatever
 * this module writes into it shows.
 */
import type { StepStatus, Workflow, WorkflowStatus, WorkflowStreamEvent } from '$wire/workflow';
import type { MessageKey } from '../lib/i18n.svelte';

/**
 * Applies one event to `workflow` (mutating it) and answers the workflow to show from now on:
 * a snapshot replaces it, every other event edits it in place.
 */
export function applyWorkflowEvent(workflow: Workflow, event: WorkflowStreamEvent): Workflow {
  if ('workflow' in event) return event.workflow;
  if ('step' in event) {
    const { id, ...changes } = event.step;
    const step = workflow.steps.find((s) => s.id === id);
    if (step) Object.assign(step, changes);
  } else if ('output' in event) {
    const step = workflow.steps.find((s) => s.id === event.output.step_id);
    if (step) step.output += event.output.chunk;
  } else if ('status' in event) {
    workflow.status = event.status;
  } else if ('error' in event) {
    workflow.error = event.error;
  }
  return workflow;
}

/** A workflow with a run under way: it cannot be edited, and a second run is refused. */
export function isBusy(status: WorkflowStatus): boolean {
  return status === 'running' || status === 'awaiting_approval';
}

/** The badge class of a status: green done, accent running, amber waiting, red failed or refused. */
export function statusTone(status: StepStatus | WorkflowStatus): '' | 'success' | 'accent' | 'warning' | 'danger' {
  switch (status) {
    case 'done':
      return 'success';
    case 'running':
      return 'accent';
    case 'awaiting_approval':
      return 'warning';
    case 'failed':
    case 'rejected':
      return 'danger';
    default:
      return '';
  }
}

/** The label of each status a step or a workflow can have. */
export const STATUS_LABELS: Record<StepStatus | WorkflowStatus, MessageKey> = {
  draft: 'workflows.status_draft',
  pending: 'workflows.status_pending',
  running: 'workflows.status_running',
  awaiting_approval: 'workflows.status_awaiting_approval',
  done: 'workflows.status_done',
  failed: 'workflows.status_failed',
  skipped: 'workflows.status_skipped',
  rejected: 'workflows.status_rejected',
};
