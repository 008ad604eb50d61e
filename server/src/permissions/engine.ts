/**
 * The policy engine: what may a tool call do, given the rules, the mode and the defaults?
 * Pure judgement — it runs nothing and waits for no one (approvals.ts waits, audit.ts records).
 *
 * Every item of a call is judged on its own and the strictest wins (deny > ask > allow): for
 * `terminal` each simple command the line would run (command-walk.ts) and each file it
 * redirects into; for file tools the real path; for MCP tools the tool's full name.
 * Within an item, rules are weighed the same way whatever their order.
 */
import { isMcpToolName } from '../mcp/tool-names.js';
import { ToolFailure } from '../tools/failure.js';
import { OPAQUE_COMMANDS } from '../tools/command-wrappers.js';
import { walkCommands, type Unresolved, type WalkedCommand } from '../tools/command-walk.js';
import { resolveInRoot } from '../tools/root-path.js';
import { isHarmlessTarget, READ_ONLY_TOOLS, runsInlineCode, whyNotReadOnly } from '../workflow/risk.js';
import type { CommandDecision, PermissionAction, PermissionDecision, PermissionMode, PermissionRule, RuleRef } from '../wire/permissions.js';
import { TOOL_NAMES } from '../wire/tools.js';
import { commandMatches, isInside, nameMatches, pathMatches } from './patterns.js';

/** One call to judge. */
export interface PermissionCall {
  tool: string;
  args: Record<string, unknown>;
  mode: PermissionMode;
  rules: readonly PermissionRule[];
  /** The real home directory (read-only tools are allowed inside it). */
  home: string;
  /** Where relative paths and commands start. */
  cwd: string;
  /** Writes inside it are allowed in accept-edits mode. */
  projectDir: string;
  env: NodeJS.ProcessEnv;
}

const RANK: Record<PermissionAction, number> = { allow: 0, ask: 1, deny: 2 };
const WRITE_TOOLS = new Set(['write_file']);
const AGENT_TOOLS = new Set(['crush_run', 'claude_run']);
const KNOWN_TOOLS: ReadonlySet<string> = new Set(TOOL_NAMES);

/** One judged item before it is folded into the call's decision. */
interface Item {
  label: string;
  kind?: CommandDecision['kind'];
  path?: string;
  decision: PermissionAction;
  reason: string;
  rule?: RuleRef;
  decidedBy: PermissionDecision['decided_by'];
}

/** The rules for `tool` that cover an item, the strictest first (deny > ask > allow, then file order). */
function strictestRule(rules: readonly PermissionRule[], tool: string, covers: (rule: PermissionRule, lenient: boolean) => boolean): RuleRef | undefined {
  let best: RuleRef | undefined;
  rules.forEach((rule, index) => {
    if (rule.tool !== tool) return;
    if (best && RANK[best.rule.action] >= RANK[rule.action]) return;
    if (covers(rule, rule.action !== 'allow')) best = { index, rule };
  });
  return best;
}

/**
 * The decision for one item, from the rule that covers it, the mode, and what the defaults say.
 * `readOnly`: the defaults' judgement (null: it only reads; else why not). `locked`: the item
 * cannot be known statically, so no allow rule lifts it (trusted mode still does).
 */
function judge(label: string, rule: RuleRef | undefined, mode: PermissionMode, readOnly: string | null, options: { locked?: string; editAllowed?: boolean } = {}): Item {
  const ruleText = (r: RuleRef) => `rule ${r.index + 1} (${r.rule.tool}${r.rule.match ? ` "${r.rule.match}"` : ''} → ${r.rule.action})`;
  if (rule?.rule.action === 'deny') return { label, decision: 'deny', reason: `denied by ${ruleText(rule)}`, rule, decidedBy: 'rule' };
  if (mode === 'trusted') return { label, decision: 'allow', reason: 'allowed: the conversation is in trusted mode', decidedBy: 'mode' };
  if (mode === 'read-only' && readOnly !== null) return { label, decision: 'deny', reason: `denied in read-only mode: ${readOnly}`, decidedBy: 'mode' };
  if (options.locked) return { label, decision: 'ask', reason: options.locked, decidedBy: 'default' };
  if (rule?.rule.action === 'ask') return { label, decision: 'ask', reason: `${ruleText(rule)} asks first`, rule, decidedBy: 'rule' };
  if (rule?.rule.action === 'allow') return { label, decision: 'allow', reason: `allowed by ${ruleText(rule)}`, rule, decidedBy: 'rule' };
  if (readOnly === null) return { label, decision: 'allow', reason: 'allowed: it only reads', decidedBy: 'default' };
  if (mode === 'accept-edits' && options.editAllowed) return { label, decision: 'allow', reason: 'allowed: accept-edits mode and inside the project folder', decidedBy: 'mode' };
  return { label, decision: 'ask', reason: `needs approval: ${readOnly}`, decidedBy: 'default' };
}

/** Folds items into one decision: the strictest item decides and names its reason. */
function fold(items: readonly Item[], withCommands: boolean): PermissionDecision {
  let worst = items[0]!;
  for (const item of items) if (RANK[item.decision] > RANK[worst.decision]) worst = item;
  const commands: CommandDecision[] = withCommands ? items.map((i) => ({ command: i.label, kind: i.kind ?? 'command', ...(i.path && { path: i.path }), decision: i.decision, reason: i.reason, ...(i.rule && { rule: i.rule }) })) : [];
  const reason = items.length > 1 && withCommands ? `${worst.label}: ${worst.reason}` : worst.reason;
  return { decision: worst.decision, reason, ...(worst.rule && { rule: worst.rule }), decided_by: worst.decidedBy, commands };
}

/** The real path a file tool would touch; null with a reason when it cannot be resolved. */
async function realTarget(input: unknown, cwd: string): Promise<{ path: string } | { error: string }> {
  if (typeof input !== 'string' || input === '') return { error: 'the call names no path' };
  try {
    return { path: (await resolveInRoot('/', input, cwd)).path };
  } catch (err) {
    if (err instanceof ToolFailure) return { error: err.message };
    throw err;
  }
}

/** Decides one call; see the module comment. */
export async function decide(call: PermissionCall): Promise<PermissionDecision> {
  const { tool, mode, rules } = call;
  if (isMcpToolName(tool)) {
    const rule = strictestRule(rules, 'mcp', (r) => r.match === undefined || nameMatches(r.match, tool));
    const [, server] = tool.split('__');
    return fold([judge(tool, rule, mode, `MCP tools ask unless you trust the server (a rule allowing mcp__${server}__*)`)], false);
  }
  if (!KNOWN_TOOLS.has(tool)) return { decision: 'deny', reason: `There is no tool named "${tool}"`, decided_by: 'default', commands: [] };
  if (AGENT_TOOLS.has(tool)) {
    const rule = strictestRule(rules, tool, () => true);
    return fold([judge(tool, rule, mode, `${tool} runs a coding agent that can change files and run commands`)], false);
  }
  if (tool === 'terminal') return decideCommand(call);
  // A file tool: the real path decides.
  const target = await realTarget(call.args.path, call.cwd);
  const writes = WRITE_TOOLS.has(tool);
  if ('error' in target) return fold([judge(String(call.args.path ?? ''), undefined, mode, writes ? 'it writes a file' : 'it reads outside the home directory', { locked: `needs approval: ${target.error}` })], false);
  const rule = strictestRule(rules, tool, (r) => r.match === undefined || pathMatches(r.match, target.path, call.home));
  const readOnly = writes ? `it writes ${target.path}` : isInside(call.home, target.path) || !READ_ONLY_TOOLS.has(tool) ? null : `${target.path} is outside the home directory`;
  return { ...fold([judge(target.path, rule, mode, readOnly, { editAllowed: writes && isInside(call.projectDir, target.path) })], false), path: target.path };
}

/** A terminal call: every simple command and every redirected-into file must be allowed for the line to be. */
async function decideCommand(call: PermissionCall): Promise<PermissionDecision> {
  const command = typeof call.args.command === 'string' ? call.args.command : '';
  let walked: { commands: WalkedCommand[]; unresolved: Unresolved[] };
  try {
    walked = walkCommands(command, { env: call.env, collect: true });
  } catch (err) {
    walked = { commands: [], unresolved: [{ kind: 'computed', detail: `the command could not be analysed (${(err as Error).message})`, where: '', snippet: command.slice(0, 120), via: [] }] };
  }
  const items: Item[] = [];
  for (const c of walked.commands) {
    const words = [c.name, ...c.args];
    const label = words.map((w) => w ?? '…').join(' ');
    const rule = strictestRule(call.rules, 'terminal', (r, lenient) => r.match === undefined || commandMatches(r.match, words, { lenient, appendsInput: c.appendsInput }));
    const transparent = isTransparent(c);
    // A wrapper that runs another command is judged by that command, unless a rule names the wrapper itself.
    if (transparent && !rule) continue;
    const locked = c.computedName
      ? `needs approval: the program's name comes from a variable (${c.name})`
      : OPAQUE_COMMANDS.has(c.base)
        ? `needs approval: ${c.base} runs text that may be built at run time, which no rule can judge`
        : runsInlineCode(c)
        ? `needs approval: ${c.base} is given code to run as text, which no rule can judge`
        : undefined;
    items.push({ ...judge(label, rule, call.mode, transparent ? null : whyNotReadOnly(c), { ...(locked && { locked }) }), kind: locked ? 'unresolved' : 'command' });
    for (const target of c.writes) {
      if (isHarmlessTarget(target)) continue;
      items.push(await redirectItem(call, target));
    }
  }
  for (const u of walked.unresolved) {
    items.push({ ...judge(u.snippet || command.slice(0, 120), undefined, call.mode, 'it cannot be analysed', { locked: `needs approval: ${unresolvedReason(u)}` }), kind: 'unresolved' });
  }
  if (items.length === 0) items.push(judge(command.trim() || '(empty)', undefined, call.mode, null));
  return fold(items, true);
}

/** Why the walk could not see through something, in the words of an approval card. */
function unresolvedReason(u: Unresolved): string {
  switch (u.kind) {
    case 'computed':
      return `${u.detail}${u.where}: \`${u.snippet}\``;
    case 'syntax':
      return `the command is not valid shell syntax${u.where} (${u.detail})`;
    case 'depth':
      return `shell text is nested too deep to follow (${u.detail})`;
    case 'stdin-shell':
      return `\`${u.snippet}\` starts a shell that reads its commands from standard input${u.where}`;
  }
}

/** A wrapper (env, nohup, xargs…) or a shell running text the walk followed: what it runs is judged instead. */
function isTransparent(c: WalkedCommand): boolean {
  return whyNotReadOnly(c) === null && (c.runs || ['env', 'xargs', 'parallel', 'nohup', 'time', 'timeout', 'nice', 'command', 'builtin'].includes(c.base));
}

/** `> file` inside a command line is a file write, judged by the write_file rules. */
async function redirectItem(call: PermissionCall, target: string | null): Promise<Item> {
  if (target === null) return { ...judge('> (computed file)', undefined, call.mode, 'it writes a file', { locked: 'needs approval: it writes to a file whose name is computed at run time' }), kind: 'unresolved' };
  const real = await realTarget(target, call.cwd);
  const label = `> ${target}`;
  if ('error' in real) return { ...judge(label, undefined, call.mode, 'it writes a file', { locked: `needs approval: ${real.error}` }), kind: 'unresolved' };
  const rule = strictestRule(call.rules, 'write_file', (r) => r.match === undefined || pathMatches(r.match, real.path, call.home));
  return { ...judge(label, rule, call.mode, `it writes ${real.path}`, { editAllowed: isInside(call.projectDir, real.path) }), kind: 'redirect', path: real.path };
}
