/** The shape of one tool and what it runs with; the tools are data in this shape (see registry.ts). */
import type { z } from 'zod';
import type { Lifecycle } from '../lifecycle.js';
import type { AgentScope } from '../permissions/service.js';
import type { Profile } from '../wire/config.js';
import type { ToolName, ToolResult } from '../wire/tools.js';

/** What a tool gets besides its arguments. */
export interface ToolRunContext {
  /** Aborted when the caller goes away (an HTTP client disconnecting, a stopped chat). */
  signal: AbortSignal;
  /** Where relative paths and commands start when the call names no cwd; inside `root`. */
  cwd: string;
  profile: Profile;
  /** The real directory every path must stay inside: the user's home. */
  root: string;
  /** The environment commands and agents run with. */
  env: NodeJS.ProcessEnv;
  lifecycle: Lifecycle;
  /** The checkout; the search worker runs from its compiled server. */
  rootDir: string;
  /** Receives a running command's output as it arrives (workflow steps show it live). */
  onOutput?: (text: string) => void;
  /** For an agent call the permission system allowed: the scope it passes to the agent's CLI. */
  agentScope?: AgentScope;
}

/** One tool: data (name, description, schema) and the code that runs it. */
export interface ToolDefinition<S extends z.ZodType = z.ZodType> {
  name: ToolName;
  /** What the model reads to decide when to call it. */
  description: string;
  /** Validates the arguments; its JSON schema is what the model sees. */
  input: S;
  /** Runs with validated arguments; throws ToolFailure for an error the model should read. */
  run(args: z.output<S>, ctx: ToolRunContext): Promise<ToolResult>;
}

/** Keeps a tool's argument types tied to its schema. */
export function defineTool<S extends z.ZodType>(tool: ToolDefinition<S>): ToolDefinition<S> {
  return tool;
}
