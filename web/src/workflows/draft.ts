/**
 * A workflow as the editor holds it: every field as text the user can type (the `args` object
 * as JSON), turned into the wire's `WorkflowInput` on save. No view code here.
 */
import type { StepInput, StepKind, Workflow, WorkflowInput, WorkflowStep } from '$wire/workflow';
import { APPROVAL_NOTE_MAX, STEP_TEXT_MAX, WORKFLOW_GOAL_MAX, WORKFLOW_STEPS_MAX, WORKFLOW_TITLE_MAX } from '$wire/workflow-limits';
import { ApiError, describeError } from '../lib/api';
import { t, type MessageKey } from '../lib/i18n.svelte';

// The server's own limits (wire/workflow-limits.ts is zod-free, so the studio can import it).
/** Longest workflow or step title. */
export const TITLE_MAX = WORKFLOW_TITLE_MAX;
/** Longest goal (and planner context). */
export const GOAL_MAX = WORKFLOW_GOAL_MAX;
/** Most steps a workflow may have. */
export const STEPS_MAX = WORKFLOW_STEPS_MAX;
/** Longest command or prompt. */
export const TEXT_MAX = STEP_TEXT_MAX;
/** Longest approval note. */
export const NOTE_MAX = APPROVAL_NOTE_MAX;

/** An agent an `agent` step may run. */
export type WorkflowAgent = NonNullable<WorkflowStep['agent']>;

/** Each step kind with its label, in the order the kind select lists them (a Record: none is forgotten). */
export const KIND_LABELS: Record<StepKind, MessageKey> = {
  shell: 'workflows.kind_shell',
  tool: 'workflows.kind_tool',
  prompt: 'workflows.kind_prompt',
  agent: 'workflows.kind_agent',
};

/** The agents, with the names people know them by. */
export const AGENT_NAMES: Record<WorkflowAgent, string> = { crush: 'Crush', claude: 'Claude Code' };

/** One step being edited. Every kind's fields are kept, so switching kind back loses nothing. */
export interface StepDraft {
  /** Keys the list while steps move; never sent. */
  key: number;
  title: string;
  kind: StepKind;
  command: string;
  tool: string;
  /** The `args` object as JSON text; blank for none. */
  args: string;
  prompt: string;
  agent: WorkflowAgent;
  /** undefined: the server decides (steps that write, delete, install or run agents ask). */
  requires_approval: boolean | undefined;
  /** The planner turned approval off on a step the server finds risky (PlanResponse.approval_waived). */
  waived: boolean;
  /** The user read that warning and keeps approval off; until then, saving turns it back on. */
  keepOff: boolean;
}

/** A workflow being edited. */
export interface WorkflowDraft {
  title: string;
  goal: string;
  steps: StepDraft[];
}

/** A field of a step the editor can point an error at. */
export type StepField = 'title' | 'command' | 'tool' | 'args' | 'prompt' | 'agent';

/** What is wrong with a draft: the workflow's own fields, each step's, and the rest. */
export interface DraftErrors {
  message: string;
  title: string;
  goal: string;
  steps: Partial<Record<StepField, string>>[];
}

/** No errors. */
export const NO_DRAFT_ERRORS: DraftErrors = { message: '', title: '', goal: '', steps: [] };

let nextKey = 1;

/** A new, empty step of `kind`; whether it asks first is left to the server. */
export function emptyStep(kind: StepKind = 'shell'): StepDraft {
  return { key: nextKey++, title: '', kind, command: '', tool: '', args: '', prompt: '', agent: 'crush', requires_approval: undefined, waived: false, keepOff: false };
}

/** The editable copy of a stored step; `waived` when the planner turned its approval off. */
export function stepDraftOf(step: WorkflowStep, waived = false): StepDraft {
  return {
    key: nextKey++,
    title: step.title,
    kind: step.kind,
    command: step.command ?? '',
    tool: step.tool ?? '',
    args: step.args && Object.keys(step.args).length > 0 ? JSON.stringify(step.args, null, 2) : '',
    prompt: step.prompt ?? '',
    agent: step.agent ?? 'crush',
    requires_approval: step.requires_approval,
    waived: waived && !step.requires_approval,
    keepOff: false,
  };
}

/** The editable copy of a stored workflow; `waived` lists the step ids whose approval the planner turned off. */
export function draftOf(workflow: Workflow, waived: readonly string[] = []): WorkflowDraft {
  return { title: workflow.title, goal: workflow.goal, steps: workflow.steps.map((s) => stepDraftOf(s, waived.includes(s.id))) };
}

/** A fresh workflow written by hand: no title yet, one empty shell step. */
export function emptyDraft(goal = ''): WorkflowDraft {
  return { title: '', goal, steps: [emptyStep()] };
}

/** The `args` text as an object; undefined when blank, null when it is not a JSON object. */
function parseArgs(text: string): Record<string, unknown> | undefined | null {
  if (!text.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Whether a step asks before running once saved: a waiver not accepted turns approval back on. */
export function effectiveApproval(step: StepDraft): boolean | undefined {
  return step.waived && !step.keepOff && step.requires_approval === false ? true : step.requires_approval;
}

/** One step as the wire wants it (only its kind's fields), or the errors that keep it from being sent. */
function stepInput(step: StepDraft): { input: StepInput; errors: Partial<Record<StepField, string>> } {
  const errors: Partial<Record<StepField, string>> = {};
  const required = (field: 'title' | 'command' | 'tool' | 'prompt'): string => {
    const value = field === 'title' ? step.title.trim() : step[field];
    if (!value.trim()) errors[field] = t('workflows.error_required');
    return value;
  };
  const input: StepInput = { title: required('title'), kind: step.kind };
  if (step.kind === 'shell') input.command = required('command');
  if (step.kind === 'tool') input.tool = required('tool').trim();
  if (step.kind === 'prompt' || step.kind === 'agent') input.prompt = required('prompt');
  if (step.kind === 'agent') input.agent = step.agent;
  if (step.kind !== 'prompt') {
    const args = parseArgs(step.args);
    if (args === null) errors.args = t('workflows.error_args_json');
    else if (args !== undefined) input.args = args;
  }
  const approval = effectiveApproval(step);
  if (approval !== undefined) input.requires_approval = approval;
  return { input, errors };
}

/** The body of POST /api/workflow or PUT /api/workflow/{id}, or what must be fixed first. */
export function draftInput(draft: WorkflowDraft): { input: WorkflowInput; errors: DraftErrors | null } {
  const steps = draft.steps.map(stepInput);
  const title = draft.title.trim();
  const input: WorkflowInput = { title, steps: steps.map((s) => s.input), ...(draft.goal.trim() && { goal: draft.goal }) };
  const errors: DraftErrors = {
    message: draft.steps.length === 0 ? t('workflows.error_no_steps') : '',
    title: title ? '' : t('workflows.error_required'),
    goal: '',
    steps: steps.map((s) => s.errors),
  };
  const clean = !errors.message && !errors.title && errors.steps.every((e) => Object.keys(e).length === 0);
  return { input, errors: clean ? null : errors };
}

/** Whether the draft would save something other than what `workflow` holds (an unaccepted waiver counts). */
export function isDirty(draft: WorkflowDraft, workflow: Workflow | null): boolean {
  if (!workflow) return true;
  const mine = draftInput(draft);
  if (mine.errors) return true;
  return JSON.stringify(mine.input) !== JSON.stringify(draftInput(draftOf(workflow)).input);
}

/** Moves the step at `index` by `by` places (−1 up, +1 down); nothing happens at either end. */
export function moveStep(steps: StepDraft[], index: number, by: -1 | 1): void {
  const to = index + by;
  if (to < 0 || to >= steps.length) return;
  const [step] = steps.splice(index, 1);
  steps.splice(to, 0, step!);
}

const STEP_FIELDS: readonly string[] = ['title', 'command', 'tool', 'args', 'prompt', 'agent'] satisfies StepField[];

/**
 * A refused save spread over the editor: `title`, `goal`, `steps.<i>.<field>` next to what they
 * name, anything else (a 409 WORKFLOW_BUSY, the network) at the top.
 */
export function draftErrorsFrom(err: unknown, stepCount: number): DraftErrors {
  const errors: DraftErrors = { message: '', title: '', goal: '', steps: Array.from({ length: stepCount }, () => ({})) };
  if (!(err instanceof ApiError) || err.issues.length === 0) return { ...errors, message: describeError(err) };
  const rest: string[] = [];
  const add = (current: string | undefined, message: string): string => (current ? `${current}; ${message}` : message);
  for (const issue of err.issues) {
    const [head, index, field] = issue.path.split('.');
    const step = head === 'steps' && index !== undefined ? errors.steps[Number(index)] : undefined;
    if (head === 'title' || head === 'goal') errors[head] = add(errors[head], issue.message);
    else if (step && field && STEP_FIELDS.includes(field)) step[field as StepField] = add(step[field as StepField], issue.message);
    else rest.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  errors.message = rest.join('; ');
  return errors;
}
