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
import { ApprovalPreviewSchema, RuleRefSchema } from './permissions.js';
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
export const StepApprovalSchema = z.strictObject({
  reason: z.string(),
  rule: RuleRefSchema.optional(),
  preview: ApprovalPreviewSchema,
});
export type StepApproval = z.infer<typeof StepApprovalSchema>;

/** One step with its run state. */
export const WorkflowStepSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  kind: z.enum(STEP_KINDS),
  command: z.string().optional(),
  tool: z.string().optional(),
  args: z.record(z.string(), z.unknown()).optional(),
  prompt: z.string().optional(),
  agent: z.enum(WORKFLOW_AGENTS).optional(),
  requires_approval: z.boolean(),
  /** The server judged the step to write, delete, install or run an agent. */
  risky: z.boolean(),
  status: z.enum(STEP_STATUSES),
  /** What the step printed or answered, kept as it streams. */
  output: z.string(),
  exit_code: z.number().int().nullable(),
  sudo_blocked: z.boolean(),
  /** The approver's or rejecter's note. */
  note: z.string().nullable(),
  /** Why the step waits in `awaiting_approval` (the plan's gate or the permission policy), with what it would run; null otherwise. */
  approval: StepApprovalSchema.nullable(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});
export type WorkflowStep = z.infer<typeof WorkflowStepSchema>;

/** One run of a workflow, for its history. */
export const WorkflowRunSchema = z.strictObject({
  id: z.number().int(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  /** The workflow's status when the run stopped (or `running`, `awaiting_approval`). */
  status: z.enum(WORKFLOW_STATUSES),
});
export type WorkflowRun = z.infer<typeof WorkflowRunSchema>;

/** What a workflow and its row in the list both say of it. */
const WorkflowHeadSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  goal: z.string(),
  status: z.enum(WORKFLOW_STATUSES),
  created_at: z.string(),
  updated_at: z.string(),
});

export const WorkflowSchema = WorkflowHeadSchema.extend({
  /** Why the last run failed, when it did. */
  error: z.string().nullable(),
  steps: z.array(WorkflowStepSchema),
  runs: z.array(WorkflowRunSchema),
});
export type Workflow = z.infer<typeof WorkflowSchema>;

/** A row of GET /api/workflow/list (no outputs). */
export const WorkflowSummarySchema = WorkflowHeadSchema.extend({
  steps: z.number().int(),
  steps_done: z.number().int(),
});
export type WorkflowSummary = z.infer<typeof WorkflowSummarySchema>;

/** Answer of GET /api/workflow/list. */
export const WorkflowListSchema = z.strictObject({ workflows: z.array(WorkflowSummarySchema) });

/** Answer of POST /api/workflow/plan: the saved draft, plus steps whose approval the model turned off though they look risky. */
export const PlanResponseSchema = z.strictObject({
  workflow: WorkflowSchema,
  /** Ids of risky steps the model marked `requires_approval: false`; the studio asks the user to accept. */
  approval_waived: z.array(z.string()),
  /** 1, or 2 when the first answer was refused and the model corrected it. */
  attempts: z.number().int(),
});
export type PlanResponse = z.infer<typeof PlanResponseSchema>;

/** Answer of DELETE /api/workflow/{id}. */
export const WorkflowDeletedSchema = z.strictObject({ deleted: z.literal(true) });

/**
 * One SSE event of a workflow run (execute with ?stream=true, approve with ?stream=true, and
 * GET /api/workflow/{id}/events). The first event of a (re)subscription is the whole
 * `workflow` as it stands; then step changes and output chunks; `{error}` says why the run
 * failed, just before its `{status: "failed"}`. The stream ends with `{done:"true"}` when the
 * run stops (finished, failed, rejected or awaiting approval).
 */
export const WorkflowStreamEventSchema = z.union([
  z.strictObject({ workflow: WorkflowSchema }),
  z.strictObject({
    step: z.strictObject({
      id: z.string(),
      status: z.enum(STEP_STATUSES),
      exit_code: z.number().int().nullable().optional(),
      sudo_blocked: z.boolean().optional(),
      started_at: z.string().nullable().optional(),
      finished_at: z.string().nullable().optional(),
      note: z.string().nullable().optional(),
      approval: StepApprovalSchema.nullable().optional(),
    }),
  }),
  z.strictObject({ output: z.strictObject({ step_id: z.string(), chunk: z.string() }) }),
  z.strictObject({ status: z.enum(WORKFLOW_STATUSES) }),
  z.strictObject({ error: z.string() }),
]);
export type WorkflowStreamEvent = z.infer<typeof WorkflowStreamEventSchema>;
