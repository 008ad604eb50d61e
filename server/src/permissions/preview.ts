/**
 * What an approval card shows before the user decides: for write_file a unified diff against
 * the file as it is (or "new file"), for terminal each simple command with why it needs
 * approval, for MCP tools the server, tool and arguments, for agents the prompt and the scope
 * the agent will get.
 */
import { readFile, stat } from 'node:fs/promises';
import type * as Diff from 'diff';
import { lazyModule } from '../lazy-module.js';
import { APPROVAL_PREVIEW_DIFF_MAX_CHARS, READ_FILE_MAX_BYTES } from '../limits.js';
import { resolveInRoot } from '../tools/root-path.js';
import type { ApprovalPreview, PermissionDecision } from '../wire/permissions.js';

/** Loaded with the first preview of a file write. */
const diffLib = lazyModule<typeof Diff>('diff');


export async function previewOf(tool: string, args: Record<string, unknown>, decision: PermissionDecision, cwd: string, agentScope?: string): Promise<ApprovalPreview> {
  if (tool === 'terminal') return { kind: 'commands', commands: decision.commands };
  if (tool.startsWith('mcp__')) {
    const [, server = '', ...rest] = tool.split('__');
    return { kind: 'mcp', server, tool: rest.join('__'), args };
  }
  if (tool === 'crush_run' || tool === 'claude_run') {
    return { kind: 'agent', agent: tool, prompt: String(args.prompt ?? ''), ...(typeof args.cwd === 'string' && { cwd: args.cwd }), scope: agentScope ?? '' };
  }
  if (tool === 'write_file' && typeof args.path === 'string') return writePreview(args.path, String(args.content ?? ''), cwd);
  return { kind: 'args', args };
}

async function writePreview(input: string, content: string, cwd: string): Promise<ApprovalPreview> {
  let path = input;
  let before: string | null = null;
  try {
    const resolved = await resolveInRoot('/', input, cwd);
    path = resolved.path;
    if (resolved.exists) {
      const info = await stat(path);
      before = info.isFile() && info.size <= READ_FILE_MAX_BYTES ? await readFile(path, 'utf8') : `(${info.isFile() ? `${info.size} bytes, too large to show` : 'not a regular file'})\n`;
    }
  } catch {
    // The tool will report why it cannot write; the card shows the new text.
  }
  const diff = diffLib().createTwoFilesPatch(before === null ? '/dev/null' : path, path, before ?? '', content, undefined, undefined, { context: 3 });
  return { kind: 'diff', path, new_file: before === null, diff: diff.length > APPROVAL_PREVIEW_DIFF_MAX_CHARS ? `${diff.slice(0, APPROVAL_PREVIEW_DIFF_MAX_CHARS)}\n… (diff cut)` : diff };
}
