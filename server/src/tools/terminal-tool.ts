import { z } from 'zod';
import { TERMINAL_TOOL_COMMAND_MAX_CHARS, TERMINAL_TOOL_TIMEOUT_DEFAULT_S, TERMINAL_TOOL_TIMEOUT_MAX_S, TOOL_OUTPUT_MAX_BYTES } from '../limits.js';
import { findExecutable } from '../system/which.js';
import { runInGroup } from './process.js';
import { defineTool } from './tool.js';
import { resolveWorkingDir } from './root-path.js';
import { processResult } from './run-result.js';
import { checkCommand } from './sudo-guard.js';
import { withoutNewPrivileges } from './no-new-privs.js';

let shell: Promise<string | null> | null = null;

/** bash when installed (the guard parses bash), else sh. */
function findShell(): Promise<string | null> {
  shell ??= findExecutable(['bash', 'sh']);
  return shell;
}

/**
 * The shell joins stderr to stdout before running the command, so both arrive in one pipe in
 * the order they were written. On the same line as the command, so bash's line numbers in
 * error messages still match the command's own.
 */
const MERGE_STDERR = 'exec 2>&1; ';

/** `terminal`: one shell command, its output and exit code; sudo-guarded (statically, and by the kernel on Linux); the whole process group dies on timeout. */
export const terminalTool = defineTool({
  name: 'terminal',
  description:
    'Run a shell command with bash -c and return its output (stdout and stderr interleaved) and exit code. ' +
    `Runs in the home directory unless cwd is given. Killed with every process it started after timeout seconds (default ${TERMINAL_TOOL_TIMEOUT_DEFAULT_S}, max ${TERMINAL_TOOL_TIMEOUT_MAX_S}). ` +
    'Standard input is closed, so interactive programs get end-of-file. Commands that would run sudo, doas, pkexec or su are refused unless the user enabled sudo_bypass, and no program the command starts can gain privileges (no_new_privs).',
  input: z.strictObject({
    command: z.string().min(1).max(TERMINAL_TOOL_COMMAND_MAX_CHARS).describe('The command line, run by bash -c'),
    cwd: z.string().min(1).max(4096).optional().describe('Working directory (absolute, or relative to the home directory); must be inside the home directory'),
    timeout: z
      .number()
      .positive()
      .max(TERMINAL_TOOL_TIMEOUT_MAX_S)
      .default(TERMINAL_TOOL_TIMEOUT_DEFAULT_S)
      .describe(`Seconds before the command and every process it started are killed (default ${TERMINAL_TOOL_TIMEOUT_DEFAULT_S}, max ${TERMINAL_TOOL_TIMEOUT_MAX_S})`),
  }),
  async run(args, ctx) {
    if (!ctx.profile.sudo_bypass) {
      const verdict = checkCommand(args.command, { env: ctx.env });
      if (verdict.blocked) return { content: verdict.reason, is_error: true, sudo_blocked: true, code: 'SUDO_BLOCKED' };
    }
    const cwd = await resolveWorkingDir(ctx.root, args.cwd, ctx.cwd);
    const file = await findShell();
    if (!file) return { content: 'No shell found on PATH (looked for bash and sh)', is_error: true, code: 'NOT_INSTALLED' };
    // The kernel guard: with sudo_bypass off, nothing the command starts can gain privileges.
    const guarded = await withoutNewPrivileges({ file, args: ['-c', MERGE_STDERR + args.command] }, ctx.profile.sudo_bypass);
    const run = await runInGroup({
      ...guarded,
      cwd,
      env: ctx.env,
      timeoutMs: args.timeout * 1000,
      signal: ctx.signal,
      maxOutputBytes: TOOL_OUTPUT_MAX_BYTES,
      lifecycle: ctx.lifecycle,
      ...(ctx.onOutput && { onOutput: ctx.onOutput }),
    });
    return processResult(run, 'the command', args.timeout, TOOL_OUTPUT_MAX_BYTES);
  },
});
