import type { ToolResult } from '../wire/tools.js';
import { formatBytes, type GroupRunResult } from './process.js';

/**
 * A finished process as a tool result: its output, then one bracketed line saying how it
 * ended, which is what a model needs to decide its next step.
 */
export function processResult(run: GroupRunResult, what: string, timeoutS: number, maxOutputBytes: number): ToolResult {
  const output = run.output === '' ? '(no output)' : run.output.replace(/\n$/, '');
  const notes: string[] = [];
  if (run.truncated) notes.push(`[output was ${formatBytes(run.totalBytes)}; the middle was cut to keep ${formatBytes(maxOutputBytes)}]`);
  let code: ToolResult['code'];
  if (run.spawnError) {
    code = 'SPAWN_FAILED';
    notes.push(`[${what} could not start: ${run.spawnError}]`);
  } else if (run.timedOut) {
    code = 'TIMED_OUT';
    notes.push(`[timed out after ${timeoutS} s: ${what} and every process it started were killed]`);
  } else if (run.aborted) {
    code = 'ABORTED';
    notes.push(`[aborted by the caller: ${what} and every process it started were killed]`);
  } else if (run.exitCode !== null) {
    if (run.exitCode !== 0) code = 'COMMAND_FAILED';
    notes.push(`[exit code ${run.exitCode}]`);
  } else {
    code = 'COMMAND_FAILED';
    notes.push(`[killed by ${run.signal ?? 'a signal'}]`);
  }
  const result: ToolResult = { content: `${output}\n${notes.join('\n')}`, is_error: code !== undefined };
  if (code) result.code = code;
  if (run.exitCode !== null && !run.timedOut && !run.aborted) result.exit_code = run.exitCode;
  return result;
}
