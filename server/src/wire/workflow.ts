/**
 * Workflows (SPEC §7 "Workflows"), shared by server and studio: a goal, an ordered list of
 * steps, their run state, the planner's `submit_plan` arguments and the SSE events of a run.
 *
 * Lifecycle of a workflow: `draft` (created or planned, editable) → `running` →
 * `awaiting_approval` (a gated step waits for a person) → `running` … → `done`, `failed`
 * (a step failed or the server stopped mid-step) or `rejected` (a person said no). A finished
 * workflow may be edited and run again; each run is one entry of its history.
 */
import { z } from 'zod';
import type { ApprovalPreview, RuleRef } from './permissions.js';
import { APPROVAL_NOTE_MAX, STEP_TEXT_MAX, WORKFLOW_GOAL_MAX, WORKFLOW_STEPS_MAX, WORKFLOW_TITLE_MAX } from './workflow-limits.js';

export const STEP_KINDS = ['shell', 'tool', 'prompt', 'agent'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const STEP_STATUSES = ['pending', 'running', 'awaiting_approval', 'done', 'failed', 'skipped', 'rejected'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const WORKFLOW_STATUSES = ['draft', 'running', 'awaiting_approval', 'done', 'failed', 'rejected'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/** The agents an `agent` step may run (the crush_run and claude_run tools). */
export const WORKFLOW_AGENTS = ['crush', 'claude'] as const;

export { APPROVAL_NOTE_MAX, STEP_TEXT_MAX, WORKFLOW_GOAL_MAX, WORKFLOW_STEPS_MAX, WORKFLOW_TITLE_MAX } from './workflow-limits.js';

/**
 * One step as a person or the planner writes it. What each kind needs:
 * - `shell`: `command` (run by the `terminal` tool: sudo guard, timeout, process-group kill);
 *   `args` may hold `{cwd, timeout}`;
 * - `tool`: `tool` (a tool name from GET /api/tools/list) and its `args`;
 * - `prompt`: `prompt`, answered by the active provider with the goal and earlier outputs;
 * - `agent`: `agent` ("crush" | "claude") and `prompt`; `args` may hold `{cwd}`.
 * `requires_approval` omitted: decided by the server (steps that write, delete, install or run
 * agents are gated).
 */
export const StepInputSchema = z
  .strictObject({
    title: z.string().trim().min(1, 'must not be empty').max(WORKFLOW_TITLE_MAX),
    kind: z.enum(STEP_KINDS),
    command: z.string().min(1).max(STEP_TEXT_MAX).optional(),
    tool: z.string().min(1).max(64).optional(),
    args: z.record(z.string(), z.unknown()).optional(),
    prompt: z.string().min(1).max(STEP_TEXT_MAX).optional(),
    agent: z.enum(WORKFLOW_AGENTS).optional(),
    requires_approval: z.boolean().optional(),
  })
  .superRefine((step, ctx) => {
    const need = (field: 'command' | 'tool' | 'prompt' | 'agent'): void => {
      if (step[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `a ${step.kind} step needs ${field}` });
    };
    if (step.kind === 'shell') need('command');
    if (step.kind === 'tool') need('tool');
    if (step.kind === 'prompt') need('prompt');
    if (step.kind === 'agent') {
      need('agent');
      need('prompt');
    }
  });
export type StepInput = z.infer<typeof StepInputSchema>;

/** Body of POST /api/workflow and PUT /api/workflow/{id}. */
export const WorkflowInputSchema = z.strictObject({
  title: z.string().trim().min(1, 'must not be empty').max(WORKFLOW_TITLE_MAX),
  goal: z.string().max(WORKFLOW_GOAL_MAX).optional(),
  steps: z.array(StepInputSchema).min(1, 'a workflow needs at least one step').max(WORKFLOW_STEPS_MAX),
});
export type WorkflowInput = z.infer<typeof WorkflowInputSchema>;

/** Arguments of the planner's one tool, `submit_plan`; validated with this same schema. */
export const SubmitPlanSchema = z.strictObject({
  title: z.string().trim().min(1, 'must not be empty').max(WORKFLOW_TITLE_MAX),
  steps: z.array(StepInputSchema).min(1, 'a plan needs at least one step').max(WORKFLOW_STEPS_MAX),
});

/** Body of POST /api/workflow/plan. */
export const PlanRequestSchema = z.strictObject({
  goal: z.string().trim().min(1, 'must not be empty').max(WORKFLOW_GOAL_MAX),
  /** Anything the planner should know: the project, constraints, what exists. */
  context: z.string().max(WORKFLOW_GOAL_MAX).optional(),
  provider: z.string().min(1).max(64).optional(),
  model: z.string().min(1).max(200).optional(),
});

/** Body of POST /api/workflow/approve/{id}. */
export const ApproveRequestSchema = z.strictObject({
  approve: z.boolean(),
  note: z.string().max(APPROVAL_NOTE_MAX).optional(),
});

/** Why a step waits for a person, and the card the studio shows for it (the chat's approval preview). */
export interface StepApproval {
  reason: string;
  rule?: RuleRef;
  preview: ApprovalPreview;
}

/** One step with its run state. */
export interface WorkflowStep {
  id: string;
  title: string;
  kind: StepKind;
  command?: string;
  tool?: string;
  args?: Record<string, unknown>;
  prompt?: string;
  agent?: (typeof WORKFLOW_AGENTS)[number];
  requires_approval: boolean;
  /** The server judged the step to write, delete, install or run an agent. */
  risky: boolean;
  status: StepStatus;
  /** What the step printed or answered, kept as it streams. */
  output: string;
  exit_code: number | null;
  sudo_blocked: boolean;
  /** The approver's or rejecter's note. */
  note: string | null;
  /** Why the step waits in `awaiting_approval` (the plan's gate or the permission policy), with what it would run; null otherwise. */
  approval: StepApproval | null;
  started_at: string | null;
  finished_at: string | null;
}

/** One run of a workflow, for its history. */
export interface WorkflowRun {
  id: number;
  started_at: string;
  finished_at: string | null;
  /** The workflow's status when the run stopped (or `running`, `awaiting_approval`). */
  status: WorkflowStatus;
}

export interface Workflow {
  id: string;
  title: string;
  goal: string;
  status: WorkflowStatus;
  created_at: string;
  updated_at: string;
  /** Why the last run failed, when it did. */
  error: string | null;
  steps: WorkflowStep[];
  runs: WorkflowRun[];
}

/** A row of GET /api/workflow/list (no outputs). */
export interface WorkflowSummary {
  id: string;
  title: string;
  goal: string;
  status: WorkflowStatus;
  created_at: string;
  updated_at: string;
  steps: number;
  steps_done: number;
}

/** Answer of POST /api/workflow/plan: the saved draft, plus steps whose approval the model turned off though they look risky. */
export interface PlanResponse {
  workflow: Workflow;
  /** Ids of risky steps the model marked `requires_approval: false`; the studio asks the user to accept. */
  approval_waived: string[];
  /** 1, or 2 when the first answer was refused and the model corrected it. */
  attempts: number;
}

/**
 * One SSE event of a workflow run (execute with ?stream=true, approve with ?stream=true, and
 * GET /api/workflow/{id}/events). The first event of a (re)subscription is the whole
 * `workflow` as it stands; then step changes and output chunks; the stream ends with
 * `{done:"true"}` when the run stops (finished, failed, rejected or awaiting approval).
 */
export type WorkflowStreamEvent =
  | { workflow: Workflow }
  | { step: { id: string; status: StepStatus; exit_code?: number | null; sudo_blocked?: boolean; started_at?: string | null; finished_at?: string | null; note?: string | null; approval?: StepApproval | null } }
  | { output: { step_id: string; chunk: string } }
  | { status: WorkflowStatus }
  | { error: string }
  | { done: 'true' };

/** Path parameter of the per-workflow routes. */
export const WorkflowIdParamsSchema = z.strictObject({ id: z.string().min(1).max(100) });
/** `?stream=true` asks for SSE instead of the JSON answer given when the run stops. */
export const StreamQuerySchema = z.strictObject({ stream: z.enum(['true', 'false']).optional() });
