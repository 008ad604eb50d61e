/**
 * Why a step waits in `awaiting_approval`: the plan's requires_approval, or the permission
 * policy asking (issue 16). The server is adding it to each step as `approval` (wire/workflow.ts
 * StepApproval); until that lands everywhere it is optional here, and a step without it shows
 * the plain Approve / Reject. Once the wire has it, this file shrinks to `stepArgs`.
 */
import type { ApprovalPreview, RuleRef } from '$wire/permissions';
import type { WorkflowStep } from '$wire/workflow';

/** What the approval card of a waiting step shows. */
export interface StepApproval {
  reason: string;
  rule?: RuleRef;
  preview?: ApprovalPreview;
}

/** A step as a run shows it, with why it waits when it does. */
export type RunStep = WorkflowStep & { approval?: StepApproval | null };

/** The arguments a step's card shows when the server sent no preview. */
export function stepArgs(step: WorkflowStep): Record<string, unknown> {
  if (step.kind === 'shell') return { command: step.command ?? '' };
  if (step.kind === 'agent') return { prompt: step.prompt ?? '' };
  if (step.kind === 'tool') return step.args ?? {};
  return { prompt: step.prompt ?? '' };
}
