import type Database from 'better-sqlite3';
import type { ConfigStore } from '../config/store.js';
import { AppError } from '../http/errors.js';
import { recordUsage, resolveProvider, streamChat } from '../providers/index.js';
import type { McpHub } from '../mcp/hub.js';
import { isMcpToolName } from '../mcp/tool-names.js';
import type { AgentScope, Permissions } from '../permissions/service.js';
import type { Toolbox } from '../tools/registry.js';
import type { StepApproval, Workflow, WorkflowStep } from '../wire/workflow.js';

/** How a step ended. `output` is the whole text to keep; what streamed live was a prefix of it. */
export interface StepOutcome {
  ok: boolean;
  output: string;
  exit_code: number | null;
  sudo_blocked: boolean;
}

/** What the permission policy (and the plan's gate) say about running a step now. */
export type StepGate =
  | { run: true; agentScope?: AgentScope }
  | { run: false; wait: true; approval: StepApproval }
  | { run: false; wait: false; reason: string; sudo_blocked: boolean };

/** Earlier outputs shown to a prompt step, each cut to this many characters (its end kept). */
const PROMPT_CONTEXT_CHARS_PER_STEP = 4_000;

/** Runs one step of any kind; shell, tool and agent steps go through the toolbox (sudo guard, timeouts, group kill), `mcp__` tools through the MCP hub. */
export class StepRunner {
  constructor(
    private readonly toolbox: Toolbox,
    private readonly config: ConfigStore,
    private readonly db: Database.Database,
    private readonly mcp: McpHub,
    private readonly permissions: Permissions,
  ) {}

  /**
   * Asks the permission system about a shell, tool or agent step (prompt steps run no tool).
   * A deny fails the step whatever a person said; an ask waits for a person unless one approved
   * the step in this run; the plan's `requires_approval` gates a step the policy would allow.
   */
  async gate(workflow: Workflow, step: WorkflowStep & { approved: boolean }): Promise<StepGate> {
    if (step.kind === 'prompt') {
      if (step.requires_approval && !step.approved) return { run: false, wait: true, approval: { reason: 'The plan marks this step for approval', preview: { kind: 'args', args: { prompt: step.prompt ?? '' } } } };
      return { run: true };
    }
    const { name, args } = this.#toolCall(step);
    if (!isMcpToolName(name)) {
      try {
        this.toolbox.validate(name, args);
      } catch (err) {
        // Bad arguments or an unknown tool: `run` fails the step with the toolbox's message, running nothing.
        if (err instanceof AppError) return { run: true };
        throw err;
      }
    }
    if (step.requires_approval && !step.approved) {
      // Judged without recording: nothing is decided until a person answers (only a deny is final).
      const decision = await this.permissions.check(name, args);
      if (decision.decision !== 'deny') {
        const reason = decision.decision === 'ask' ? `The plan marks this step for approval, and ${lowerFirst(decision.reason)}` : 'The plan marks this step for approval';
        return { run: false, wait: true, approval: { reason, ...(decision.rule && { rule: decision.rule }), preview: await this.permissions.preview(name, args, decision) } };
      }
    }
    const verdict = await this.permissions.authorize({ tool: name, args, source: 'workflow', workflowId: workflow.id, onAsk: step.approved ? 'allow' : 'return' });
    if (verdict.allowed) return { run: true, ...(verdict.agentScope && { agentScope: verdict.agentScope }) };
    if (verdict.ask) return { run: false, wait: true, approval: { reason: verdict.reason, ...(verdict.decision.rule && { rule: verdict.decision.rule }), preview: verdict.preview } };
    return { run: false, wait: false, reason: verdict.reason, sudo_blocked: verdict.decision.sudo_blocked ?? false };
  }

  async run(workflow: Workflow, step: WorkflowStep, signal: AbortSignal, onOutput: (text: string) => void, agentScope?: AgentScope): Promise<StepOutcome> {
    try {
      if (step.kind === 'prompt') return await this.#prompt(workflow, step, signal, onOutput);
      const { name, args } = this.#toolCall(step);
      if (isMcpToolName(name)) {
        // A tool of one of Atelier's enabled MCP servers (`mcp__<server>__<tool>`), as in the chat.
        const outcome = await this.mcp.call(name, args, signal);
        onOutput(outcome.content);
        return { ok: !outcome.is_error, output: outcome.content, exit_code: null, sudo_blocked: false };
      }
      const result = await this.toolbox.call(name, args, signal, { onOutput, ...(agentScope && { agentScope }) });
      return { ok: !result.is_error, output: result.content, exit_code: result.exit_code ?? null, sudo_blocked: result.sudo_blocked ?? false };
    } catch (err) {
      // A call the toolbox or the provider refused (unknown tool, bad arguments, no provider): the step failed, the server did not.
      if (err instanceof AppError) return { ok: false, output: `${err.message} (${err.code})`, exit_code: null, sudo_blocked: false };
      throw err;
    }
  }

  #toolCall(step: WorkflowStep): { name: string; args: Record<string, unknown> } {
    const args = step.args ?? {};
    switch (step.kind) {
      case 'shell':
        return { name: 'terminal', args: { ...pick(args, ['cwd', 'timeout']), command: step.command } };
      case 'agent':
        return { name: `${step.agent}_run`, args: { ...pick(args, ['cwd', 'timeout']), prompt: step.prompt } };
      default:
        return { name: step.tool ?? '', args };
    }
  }

  /** A prompt step: the active provider answers with the goal and the earlier steps' outputs in view. */
  async #prompt(workflow: Workflow, step: WorkflowStep, signal: AbortSignal, onOutput: (text: string) => void): Promise<StepOutcome> {
    const { provider, model } = resolveProvider(this.config.get());
    const earlier = workflow.steps
      .slice(0, workflow.steps.findIndex((s) => s.id === step.id))
      .filter((s) => s.status === 'done')
      .map((s) => `### ${s.title}\n${s.output.slice(-PROMPT_CONTEXT_CHARS_PER_STEP)}`)
      .join('\n\n');
    let text = '';
    const usage = { input_tokens: 0, output_tokens: 0 };
    try {
      for await (const event of streamChat({
        provider,
        model,
        signal,
        messages: [
          { role: 'system', content: `You carry out one step of a workflow whose goal is: ${workflow.goal || workflow.title}. Answer the step's request directly.` },
          { role: 'user', content: earlier ? `Earlier steps and their output:\n\n${earlier}\n\n---\n\n${step.prompt}` : (step.prompt ?? '') },
        ],
      })) {
        if (event.type === 'text') {
          text += event.text;
          onOutput(event.text);
        } else if (event.type === 'usage') {
          usage.input_tokens += event.input_tokens;
          usage.output_tokens += event.output_tokens;
        }
      }
    } finally {
      recordUsage(this.db, { provider_id: provider.id, model, ...usage });
    }
    return { ok: true, output: text, exit_code: null, sudo_blocked: false };
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}
