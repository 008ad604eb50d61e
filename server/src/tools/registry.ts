import { homedir } from 'node:os';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { validationError } from '../http/api.js';
import { AppError } from '../http/errors.js';
import type { AgentScope } from '../permissions/service.js';
import type { ToolInfo, ToolResult } from '../wire/tools.js';
import { agentTools } from './agent-tools.js';
import { ToolFailure } from './failure.js';
import { listDirTool, readFileTool, writeFileTool } from './file-tools.js';
import { realRoot } from './root-path.js';
import { searchFilesTool } from './search-tool.js';
import { terminalTool } from './terminal-tool.js';
import type { ToolDefinition, ToolRunContext } from './tool.js';

/** Per-call options: where relative paths start, and a listener for live output. */
export interface ToolCallOptions {
  cwd?: string;
  onOutput?: (text: string) => void;
  /** What an allowed agent call may do, in its CLI's own terms (from the permission system). */
  agentScope?: AgentScope;
}

/** The tools, listed and callable by name. */
export interface Toolbox {
  /** Every tool with the JSON schema of its arguments (GET /api/tools/list). */
  list(): ToolInfo[];
  /**
   * Runs a tool. Throws AppError for a call that cannot start — UNKNOWN_TOOL (404),
   * VALIDATION_FAILED naming each field (400), TOO_MANY_AGENTS (429) — and answers a
   * ToolResult for everything else, errors of the tool included (`is_error: true`).
   */
  call(name: string, args: unknown, signal?: AbortSignal, options?: ToolCallOptions): Promise<ToolResult>;
  /** Throws what `call` would throw for an unknown tool or bad arguments, running nothing (so a call is judged, or shown for approval, only once it could run). */
  validate(name: string, args: unknown): void;
}

/** What a toolbox needs from the server. */
export type ToolboxDeps = Pick<AppContext, 'config' | 'lifecycle' | 'log' | 'rootDir'>;

/** Test seams; the server uses the defaults. */
export interface ToolboxOptions {
  /** The directory file tools may touch. Default: the user's home directory, read at each call. */
  root?: () => string;
  env?: () => NodeJS.ProcessEnv;
}

/** The JSON schema a model sees: what the caller may send (defaults make fields optional). */
function parametersOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _omitted, ...json } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return json;
}

function argumentsError(tool: string, error: z.ZodError): AppError {
  const issues = (validationError('args', error).details?.issues ?? []).map((i) => ({ path: i.path === 'args' ? 'args' : `args.${i.path}`, message: i.message }));
  return new AppError(400, 'VALIDATION_FAILED', `Invalid arguments for ${tool}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}

/**
 * A fresh toolbox with its own agent slots. app.ts builds one per server (services.ts) and hands
 * it to the tools route, the chat and workflows, so the agent limit (2 crush + 2 claude) holds across them.
 */
export function createToolbox(deps: ToolboxDeps, options: ToolboxOptions = {}): Toolbox {
  const tools: ToolDefinition[] = [terminalTool, readFileTool, writeFileTool, listDirTool, searchFilesTool, ...agentTools()];
  const byName = new Map(tools.map((t) => [t.name as string, t]));
  const listed = tools.map((t) => ({ name: t.name, description: t.description, parameters: parametersOf(t.input) }));
  const rootOf = options.root ?? homedir;
  const envOf = options.env ?? (() => process.env);

  const parse = (name: string, args: unknown) => {
    const tool = byName.get(name);
    if (!tool) throw new AppError(404, 'UNKNOWN_TOOL', `No tool named "${name}"; the tools are ${[...byName.keys()].join(', ')}`);
    const parsed = tool.input.safeParse(args ?? {});
    if (!parsed.success) throw argumentsError(name, parsed.error);
    return { tool, parsed };
  };

  return {
    list: () => listed.map((t) => ({ ...t })),
    validate(name, args) {
      parse(name, args);
    },
    async call(name, args, signal = new AbortController().signal, callOptions = {}) {
      const { tool, parsed } = parse(name, args);
      const started = Date.now();
      let result: ToolResult;
      try {
        const root = await realRoot(rootOf());
        const ctx: ToolRunContext = {
          signal,
          cwd: callOptions.cwd ?? root,
          profile: deps.config.get().profile,
          root,
          env: envOf(),
          lifecycle: deps.lifecycle,
          rootDir: deps.rootDir,
          ...(callOptions.onOutput && { onOutput: callOptions.onOutput }),
          ...(callOptions.agentScope && { agentScope: callOptions.agentScope }),
        };
        result = await tool.run(parsed.data, ctx);
      } catch (err) {
        if (!(err instanceof ToolFailure)) throw err;
        result = { content: err.message, is_error: true, code: err.code };
      }
      deps.log.info({ tool: name, ms: Date.now() - started, is_error: result.is_error, code: result.code }, 'tool call');
      return result;
    },
  };
}
