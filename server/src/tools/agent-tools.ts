import { z } from 'zod';
import { AppError } from '../http/errors.js';
import { AGENT_TOOL_CONCURRENCY, AGENT_TOOL_RETRY_AFTER_S, AGENT_TOOL_TIMEOUT_S, TOOL_OUTPUT_MAX_BYTES } from '../limits.js';
import { findExecutable } from '../system/which.js';
import type { AgentScope } from '../permissions/service.js';
import type { ToolName } from '../wire/tools.js';
import { ToolFailure } from './failure.js';
import { withoutNewPrivileges } from './no-new-privs.js';
import { runInGroup } from './process.js';
import { resolveWorkingDir } from './root-path.js';
import { processResult } from './run-result.js';
import { defineTool, type ToolDefinition } from './tool.js';

/**
 * A coding-agent CLI run once, non-interactively, with a prompt. The flags come from each
 * CLI's own documentation:
 * - Claude Code: `claude -p "query"` ("--print, -p: print response without interactive mode",
 *   docs.anthropic.com, Claude Code CLI reference). Tools that need approval stay denied in
 *   print mode unless the user's own Claude settings allow them; Atelier adds no bypass.
 *   When the permission system allowed the call it passes the scope the user approved through
 *   Claude Code's own flags: `--permission-mode <mode>` and `--allowedTools <rule>...`
 *   (`Bash(git diff:*)`), from the same CLI reference.
 * - Crush: `crush run [prompt...]` ("Run a single non-interactive prompt", charmbracelet/crush
 *   internal/cmd/run.go); `--quiet` hides the spinner. It approves its own tool calls while it
 *   runs: approving crush_run lets it run whatever it decides to.
 * `--` ends the options, so a prompt that starts with "-" stays a prompt.
 */
export interface AgentSpec {
  tool: Extract<ToolName, 'crush_run' | 'claude_run'>;
  /** The executable looked up on PATH. */
  binary: string;
  label: string;
  argv(prompt: string, scope?: AgentScope): string[];
  /** Said in the tool's description: what approving a call lets the agent do. */
  caveat: string;
}

/** The agents, as data. */
export const AGENTS: readonly AgentSpec[] = [
  {
    tool: 'crush_run',
    binary: 'crush',
    label: 'Crush',
    argv: (prompt) => ['run', '--quiet', '--', prompt],
    caveat: 'Crush approves its own tool calls while it runs: approving this call lets it run any command and write any file it decides to.',
  },
  {
    tool: 'claude_run',
    binary: 'claude',
    label: 'Claude Code',
    argv: (prompt, scope) => ['-p', ...(scope ? ['--permission-mode', scope.permissionMode, ...(scope.allowedTools.length ? ['--allowedTools', ...scope.allowedTools] : [])] : []), '--', prompt],
    caveat: "Claude Code runs with the permission mode and the allowed commands the user's rules give it (--permission-mode, --allowedTools).",
  },
];

/** 429 for an agent call over the limit; the route turns `retryAfterS` into a Retry-After header. */
export class TooManyAgentsError extends AppError {
  readonly retryAfterS = AGENT_TOOL_RETRY_AFTER_S;
  constructor(spec: AgentSpec) {
    super(
      429,
      'TOO_MANY_AGENTS',
      `${AGENT_TOOL_CONCURRENCY} ${spec.tool} calls are already running (the limit is ${AGENT_TOOL_CONCURRENCY}); retry when one finishes, in about ${AGENT_TOOL_RETRY_AFTER_S} s`,
    );
  }
}

/** A counting semaphore that refuses instead of queueing: a third agent is an error, not a wait. */
class Slots {
  #free: number;
  constructor(size: number) {
    this.#free = size;
  }

  /** A release function, or null when every slot is taken. */
  tryAcquire(): (() => void) | null {
    if (this.#free === 0) return null;
    this.#free--;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#free++;
    };
  }
}

function agentTool(spec: AgentSpec): ToolDefinition {
  const slots = new Slots(AGENT_TOOL_CONCURRENCY);
  return defineTool({
    name: spec.tool,
    description:
      `Run ${spec.label} (\`${spec.argv('<prompt>').join(' ')}\` — ${spec.binary} must be installed) non-interactively with a prompt, in a directory inside the home directory, ` +
      `and return what it printed. Takes up to ${AGENT_TOOL_TIMEOUT_S / 60} minutes; at most ${AGENT_TOOL_CONCURRENCY} run at once. ${spec.caveat}`,
    input: z.strictObject({
      prompt: z.string().min(1).max(100_000).describe(`The task for ${spec.label}`),
      cwd: z.string().min(1).max(4096).optional().describe('Project directory (absolute, or relative to the home directory); default the home directory'),
      timeout: z.number().positive().max(AGENT_TOOL_TIMEOUT_S).default(AGENT_TOOL_TIMEOUT_S).describe(`Seconds before it is killed (default and max ${AGENT_TOOL_TIMEOUT_S})`),
    }),
    async run(args, ctx) {
      // Taken before anything else and synchronously: the call over the limit runs nothing.
      const release = slots.tryAcquire();
      if (!release) throw new TooManyAgentsError(spec);
      try {
        const cwd = await resolveWorkingDir(ctx.root, args.cwd, ctx.cwd);
        const file = await findExecutable([spec.binary], ctx.env);
        if (!file) throw new ToolFailure('NOT_INSTALLED', `${spec.binary} is not installed (not found on PATH); install ${spec.label} to use ${spec.tool}`);
        // The kernel guard, as for the terminal tool: nothing the agent starts can gain privileges.
        const guarded = await withoutNewPrivileges({ file, args: spec.argv(args.prompt, ctx.agentScope) }, ctx.profile.sudo_bypass);
        const run = await runInGroup({
          ...guarded,
          cwd,
          env: { ...ctx.env, NO_COLOR: '1' },
          timeoutMs: args.timeout * 1000,
          signal: ctx.signal,
          maxOutputBytes: TOOL_OUTPUT_MAX_BYTES,
          lifecycle: ctx.lifecycle,
          ...(ctx.onOutput && { onOutput: ctx.onOutput }),
        });
        return processResult(run, spec.binary, args.timeout, TOOL_OUTPUT_MAX_BYTES);
      } finally {
        release();
      }
    },
  });
}

/** crush_run and claude_run, each with its own slots (a toolbox's agents share them). */
export function agentTools(): ToolDefinition[] {
  return AGENTS.map(agentTool);
}
