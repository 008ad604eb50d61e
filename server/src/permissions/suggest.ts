/**
 * The rule "allow always" saves: the narrowest one that covers what asked — `git push *` for
 * `git push origin main`, not `*`; the command itself when it names no verb (`rm notes.txt`,
 * `python3 manage.py migrate`); the file's folder for a write; the exact MCP tool.
 */
import { dirname } from 'node:path';
import { walkCommands, type WalkedCommand } from '../tools/command-walk.js';
import { patternProblem, type PermissionDecision, type PermissionRule } from '../wire/permissions.js';

/** Subcommand-style programs: their first operand is a verb worth keeping in the rule. */
function looksLikeVerb(word: string | undefined): word is string {
  return word !== undefined && /^[a-z][a-z0-9:_-]*$/.test(word) && !word.includes('/');
}

/** The rules that would let this call through next time; empty when no rule can (computed names, eval). */
export function suggestRules(tool: string, args: Record<string, unknown>, decision: PermissionDecision, realPath?: string): PermissionRule[] {
  if (decision.decision !== 'ask' || decision.decided_by === 'rule') return [];
  if (tool.startsWith('mcp__')) return [{ tool: 'mcp', match: tool, action: 'allow' }];
  if (tool === 'crush_run' || tool === 'claude_run') return [{ tool, action: 'allow' }];
  if (tool === 'write_file' || tool === 'read_file' || tool === 'list_dir' || tool === 'search_files') {
    if (!realPath) return [];
    return [{ tool, match: `${tool === 'write_file' ? dirname(realPath) : realPath}/${tool === 'write_file' ? '*' : '**'}`.replace(/^\/\//, '/'), action: 'allow' }];
  }
  if (tool !== 'terminal') return [];
  // The decision names each command by its words joined with spaces; the walk gives the words
  // themselves (one may hold a space) and whether input is appended to them (xargs).
  const walked = new Map<string, WalkedCommand[]>();
  try {
    for (const w of walkCommands(typeof args.command === 'string' ? args.command : '', { env: process.env, collect: true }).commands) {
      const label = [w.name, ...w.args].map((x) => x ?? '…').join(' ');
      walked.set(label, [...(walked.get(label) ?? []), w]);
    }
  } catch {
    return [];
  }
  const rules: PermissionRule[] = [];
  for (const c of decision.commands) {
    if (c.decision !== 'ask' || c.rule) continue;
    // What cannot be known statically (a variable's program, eval, inline code, unparsable text) gets no rule.
    if (c.kind === 'unresolved' || c.command.includes('…')) return [];
    if (c.kind === 'redirect') {
      if (!c.path) return [];
      rules.push({ tool: 'write_file', match: `${dirname(c.path)}/*`, action: 'allow' });
      continue;
    }
    if (c.command.split(/\s+/)[0] === 'eval' || c.command.startsWith('source ') || c.command.startsWith('. ')) return [];
    const same = walked.get(c.command);
    const words = same?.[0] ? [same[0].name, ...same[0].args] : null;
    // A pattern is words split at spaces: a word holding one (`sed -n 'w out'`) cannot be matched.
    if (!words || words.some((w) => w === null || w === '' || /\s/.test(w))) return [];
    // A verb keeps the rule to that verb (`git push *`); otherwise the command itself is the
    // narrowest rule (`rm notes.txt`, not `rm *`, which would allow every deletion). Words that
    // xargs appends are only covered by a trailing ` *` (`ls | xargs rm` → `rm *`).
    const [program, first] = words as string[];
    let match = looksLikeVerb(first) ? `${program} ${first} *` : words.join(' ');
    if (same!.some((w) => w.appendsInput) && !match.endsWith(' *')) match += ' *';
    if (patternProblem('terminal', match)) return [];
    rules.push({ tool: 'terminal', match, action: 'allow' });
  }
  const seen = new Set<string>();
  return rules.filter((r) => !seen.has(`${r.tool}\0${r.match}`) && seen.add(`${r.tool}\0${r.match}`));
}
