/**
 * Tool shapes shared by server and studio: the tool list, one call, its result. The zod
 * schemas validate and document the routes; the types are inferred from them.
 */
import { z } from 'zod';

/** Every built-in tool, in the order GET /api/tools/list answers. */
export const TOOL_NAMES = ['terminal', 'read_file', 'write_file', 'list_dir', 'search_files', 'crush_run', 'claude_run'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** One tool as a model sees it; `parameters` is the JSON schema of its arguments. */
export const ToolInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  parameters: z.record(z.string(), z.unknown()),
});
export type ToolInfo = z.infer<typeof ToolInfoSchema>;

/** Body of POST /api/tool/call. `args` is checked against the named tool's own schema. */
export const ToolCallRequestSchema = z.strictObject({
  name: z.string().min(1).max(64),
  args: z.record(z.string(), z.unknown()).default({}),
});
export type ToolCallRequest = z.input<typeof ToolCallRequestSchema>;

/**
 * Why a tool call failed, when the tool itself (not the command it ran) names the cause.
 * A command that ran and exited non-zero is `COMMAND_FAILED`.
 */
export type ToolErrorCode =
  | 'SUDO_BLOCKED'
  | 'GUARD_UNAVAILABLE'
  | 'PATH_OUTSIDE_ROOT'
  | 'NOT_FOUND'
  | 'IS_A_DIRECTORY'
  | 'NOT_A_DIRECTORY'
  | 'NOT_A_FILE'
  | 'BINARY_FILE'
  | 'FILE_TOO_LARGE'
  | 'BROKEN_SYMLINK'
  | 'PERMISSION_DENIED'
  | 'COMMAND_FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'NOT_INSTALLED'
  | 'SPAWN_FAILED'
  | 'IO_ERROR';

/**
 * What a tool call produced; the chat's `tool_result` event carries the same fields.
 * `code` is Atelier's addition: present on errors, so a client need not parse `content`.
 */
export const ToolResultSchema = z.object({
  content: z.string(),
  is_error: z.boolean(),
  sudo_blocked: z.boolean().optional(),
  code: z.string().optional(),
  exit_code: z.number().int().optional(),
});
export interface ToolResult {
  content: string;
  is_error: boolean;
  /** True when the sudo guard refused the command; nothing ran. */
  sudo_blocked?: boolean;
  code?: ToolErrorCode;
  /** The exit code of a command that ran to its end. */
  exit_code?: number;
}
