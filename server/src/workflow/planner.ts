import { z } from 'zod';
import type Database from 'better-sqlite3';
import { validationError } from '../http/api.js';
import { AppError } from '../http/errors.js';
import { completeChat, recordUsage, type ChatMessage, type ToolSpec } from '../providers/index.js';
import type { ToolInfo } from '../wire/tools.js';
import type { Provider } from '../wire/config.js';
import { STEP_KINDS, SubmitPlanSchema, WORKFLOW_AGENTS } from '../wire/workflow.js';
import { WORKFLOW_PLAN_ATTEMPTS } from '../limits.js';

/** The plan the model submitted, validated. */
export type SubmittedPlan = z.infer<typeof SubmitPlanSchema>;

/** What the planner needs to know. */
export interface PlanInput {
  goal: string;
  context?: string | undefined;
  provider: Provider;
  model: string;
  /** The tools a `tool` step may name, as GET /api/tools/list gives them. */
  tools: ToolInfo[];
  sudoAllowed: boolean;
}


/** The one tool the planner offers; its parameters are SubmitPlanSchema's JSON schema. */
export const SUBMIT_PLAN_TOOL: ToolSpec = {
  name: 'submit_plan',
  description:
    'Submit the workflow plan: a short title and the ordered steps that reach the goal. Call this exactly once; do not answer in text.',
  parameters: (() => {
    const { $schema: _omitted, ...json } = z.toJSONSchema(SubmitPlanSchema, { io: 'input' }) as Record<string, unknown>;
    return json;
  })(),
};

function systemPrompt(input: PlanInput): string {
  return [
    'You plan workflows for Atelier, a control panel on a developer workstation. Turn the goal into a short list of concrete steps and submit them with the submit_plan tool.',
    `Step kinds (${STEP_KINDS.join(', ')}):`,
    '- shell: `command` is one bash command line, run non-interactively in the home directory (args may hold cwd and timeout in seconds, default 60, max 300);',
    `- tool: \`tool\` is one of ${input.tools.map((t) => t.name).join(', ')}, \`args\` its arguments;`,
    '- prompt: `prompt` is a question answered by the language model with the earlier steps\' outputs in view (to summarize, explain or decide);',
    `- agent: \`agent\` is one of ${WORKFLOW_AGENTS.join(', ')} (coding-agent CLIs) and \`prompt\` its task.`,
    'Set requires_approval to true for every step that writes, deletes, installs, changes system state or runs an agent; false only for steps that just read or inspect.',
    input.sudoAllowed ? '' : 'Commands with sudo, doas, pkexec or su are blocked: do not plan them.',
    'Prefer few, verifiable steps; begin with inspection when the state of the machine matters.',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * Asks the model for a plan through the `submit_plan` tool and validates the arguments with
 * SubmitPlanSchema. An answer without the call, or with arguments that fail the schema, is
 * sent back once with the validation error; a second failure is 422 PLAN_INVALID.
 */
export async function planWorkflow(db: Database.Database, input: PlanInput, signal?: AbortSignal): Promise<{ plan: SubmittedPlan; attempts: number }> {
  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt(input) },
    { role: 'user', content: input.context ? `Goal: ${input.goal}\n\nContext:\n${input.context}` : `Goal: ${input.goal}` },
  ];
  let problem = '';
  for (let attempt = 1; attempt <= WORKFLOW_PLAN_ATTEMPTS; attempt++) {
    const done = await completeChat({ provider: input.provider, model: input.model, messages, tools: [SUBMIT_PLAN_TOOL], ...(signal && { signal }) });
    recordUsage(db, { provider_id: input.provider.id, model: input.model, ...done.usage });
    const call = done.tool_calls.find((c) => c.name === SUBMIT_PLAN_TOOL.name);
    if (!call) {
      problem = `the model did not call submit_plan${done.tool_calls.length ? ` (it called ${done.tool_calls.map((c) => c.name).join(', ')})` : ''}`;
      messages.push({ role: 'assistant', content: done.text }, { role: 'user', content: 'Submit the plan by calling the submit_plan tool, with no other text.' });
      continue;
    }
    const parsed = call.args_error === undefined ? SubmitPlanSchema.safeParse(call.args) : undefined;
    if (parsed?.success) return { plan: parsed.data, attempts: attempt };
    problem = parsed ? validationError('plan', parsed.error).message : `the arguments were not a JSON object: ${call.args_error}`;
    messages.push(
      { role: 'assistant', content: done.text, tool_calls: [{ id: call.id, name: call.name, args: call.args }] },
      { role: 'tool', tool_call_id: call.id, name: call.name, content: `Refused: ${problem}. Call submit_plan again with corrected arguments.`, is_error: true },
    );
  }
  throw new AppError(422, 'PLAN_INVALID', `The planner's answer was invalid twice; nothing was saved. Last problem: ${problem}`);
}
