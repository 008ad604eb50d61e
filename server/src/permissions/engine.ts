/**
 * The policy engine: what may a tool call do, given the rules, the mode and the defaults?
 * Pure judgement — it runs nothing and waits for no one (approvals.ts waits, audit.ts records).
 *
 * Every item of a call is judged on its own and the strictest wins (deny > ask > allow): for
 * `terminal` each simple command the line would run (command-walk.ts) and each file it
 * redirects into; for file tools the real path; for MCP tools the tool's full name.
 * Within an item, rules are weighed the same way whatever their order.
 */
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { isMcpToolName } from '../mcp/tool-names.js';
import { OPAQUE_COMMANDS, PRIVILEGED_COMMANDS } from '../tools/command-wrappers.js';
import { walkCommands, type Unresolved, type WalkedCommand } from '../tools/command-walk.js';
import { nodeType, parseBash, staticWord, type ShCallExpr } from '../tools/shell-syntax.js';
import { isHarmlessTarget, READ_ONLY_TOOLS, runsInlineCode, runsProjectCode, whyNotReadOnly } from '../workflow/risk.js';
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
 * `readOnly`: the defaults' judgement (null: allowed by default; else why it needs approval).
 * `locked`: the item cannot be known statically, so no allow rule lifts it (trusted mode still
 * does). `reads`: it needs approval but writes nothing, so read-only mode does not deny it.
 */
function judge(label: string, rule: RuleRef | undefined, mode: PermissionMode, readOnly: string | null, options: { locked?: string; editAllowed?: boolean; reads?: boolean } = {}): Item {
  const ruleText = (r: RuleRef) => `rule ${r.index + 1} (${r.rule.tool}${r.rule.match ? ` "${r.rule.match}"` : ''} → ${r.rule.action})`;
  if (rule?.rule.action === 'deny') return { label, decision: 'deny', reason: `denied by ${ruleText(rule)}`, rule, decidedBy: 'rule' };
  if (mode === 'trusted') return { label, decision: 'allow', reason: 'allowed: the conversation is in trusted mode', decidedBy: 'mode' };
  // `reads`: it needs approval but writes nothing (a read outside home), so read-only mode asks too.
  if (mode === 'read-only' && readOnly !== null && !options.reads) return { label, decision: 'deny', reason: `denied in read-only mode: ${readOnly}`, decidedBy: 'mode' };
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

/**
 * The real path a file tool (or a redirection) would touch, or why it cannot be resolved: as
 * root-path.ts resolves a tool's path (made absolute, realpath'd; a file not yet written through
 * its deepest existing ancestor; a dangling symlink refused), with no root to stay inside.
 * Synchronous: a few stat calls cost microseconds, a round trip through the thread pool each
 * was most of a decision's time.
 */
function realTarget(input: unknown, cwd: string): { path: string } | { error: string } {
  if (typeof input !== 'string' || input === '') return { error: 'the call names no path' };
  const abs = input === '~' || input.startsWith('~/') ? join(homedir(), input.slice(1)) : resolve(cwd, input);
  const missing: string[] = [];
  let current = abs;
  // Up to the deepest ancestor that exists, looked at with lstat (no exception for a missing
  // name: a thrown ENOENT per level was most of the time a redirect took to judge).
  for (;;) {
    let found: Stats | undefined;
    try {
      found = lstatSync(current, { throwIfNoEntry: false });
    } catch (err) {
      return { error: `${input} cannot be resolved (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
    }
    if (found) {
      try {
        const real = realpathSync.native(current);
        return { path: missing.length ? join(real, ...missing) : real };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // A name lstat finds but realpath cannot is a dangling symlink: a write through it could land anywhere.
        if (code === 'ENOENT' && found.isSymbolicLink()) return { error: `${current} is a symbolic link to a missing target` };
        return { error: `${input} cannot be resolved (${code ?? (err as Error).message})` };
      }
    }
    const parent = dirname(current);
    if (parent === current) return { error: `${input} has no existing ancestor` };
    missing.unshift(basename(current));
    current = parent;
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
  const target = realTarget(call.args.path, call.cwd);
  const writes = WRITE_TOOLS.has(tool);
  const reads = READ_ONLY_TOOLS.has(tool);
  if ('error' in target) return fold([judge(String(call.args.path ?? ''), undefined, mode, writes ? 'it writes a file' : 'it reads outside the home directory', { locked: `needs approval: ${target.error}`, reads })], false);
  const rule = strictestRule(rules, tool, (r) => r.match === undefined || pathMatches(r.match, target.path, call.home));
  const readOnly = writes ? `it writes ${target.path}` : isInside(call.home, target.path) || !reads ? null : `${target.path} is outside the home directory`;
  return { ...fold([judge(target.path, rule, mode, readOnly, { editAllowed: writes && isInside(call.projectDir, target.path), reads })], false), path: target.path };
}

/** A terminal call: every simple command and every redirected-into file must be allowed for the line to be. */
async function decideCommand(call: PermissionCall): Promise<PermissionDecision> {
  const command = typeof call.args.command === 'string' ? call.args.command : '';
  const walked = walk(command, call.env);
  const items: Item[] = [];
  // Redirections are relative to the directory the command runs in: the tool's `cwd` argument, else the call's.
  let cwd: string | null = call.cwd;
  if (typeof call.args.cwd === 'string' && call.args.cwd !== '') {
    const dir = realTarget(call.args.cwd, call.cwd);
    cwd = 'error' in dir ? null : dir.path;
  }
  // After a cd (or env -C) a relative target is not where it seems: `cd ~/.ssh && echo k >> authorized_keys`.
  if (walked.commands.some(movesDirectory)) cwd = null;
  for (const c of walked.commands) {
    const words = [c.name, ...c.args];
    const label = words.map((w) => w ?? '…').join(' ');
    const rule = strictestRule(call.rules, 'terminal', (r, lenient) => r.match === undefined || commandMatches(r.match, words, { lenient, appendsInput: c.appendsInput }));
    const codeVariable = codeLoadingVariable(c);
    const transparent = isTransparent(c) && !codeVariable;
    // A wrapper that runs another command is judged by that command, unless a rule names the wrapper itself.
    if (transparent && !rule) continue;
    const locked = c.computedName
      ? `needs approval: the program's name comes from a variable (${c.name})`
      : OPAQUE_COMMANDS.has(c.base)
        ? `needs approval: ${c.base} runs text that may be built at run time, which no rule can judge`
        : runsInlineCode(c)
          ? `needs approval: ${c.base} is given code to run as text, which no rule can judge`
          : codeVariable
            ? `needs approval: it runs with ${codeVariable} set, which can make programs load or run other code`
            : undefined;
    const readOnly = transparent ? null : (whyNotReadOnly(c) ?? runsProjectCode(c));
    items.push({ ...judge(label, rule, call.mode, readOnly, { ...(locked && { locked }) }), kind: locked ? 'unresolved' : 'command' });
    items.push(...raisedItems(call, c));
    for (const target of c.writes) {
      if (isHarmlessTarget(target)) continue;
      items.push(redirectItem(call, target, cwd));
    }
  }
  for (const u of walked.unresolved) {
    items.push({ ...judge(u.snippet || command.slice(0, 120), undefined, call.mode, 'it cannot be analysed', { locked: `needs approval: ${unresolvedReason(u)}` }), kind: 'unresolved' });
  }
  if (items.length === 0) items.push(judge(command.trim() || '(empty)', undefined, call.mode, null));
  return fold(items, true);
}

/** The walk of a command line; what cannot be analysed at all is one unresolved thing. */
function walk(command: string, env: NodeJS.ProcessEnv): { commands: WalkedCommand[]; unresolved: Unresolved[] } {
  try {
    return walkCommands(command, { env, collect: true });
  } catch (err) {
    return { commands: [], unresolved: [{ kind: 'computed', detail: `the command could not be analysed (${(err as Error).message})`, where: '', snippet: command.slice(0, 120), via: [] }] };
  }
}

/** cd, pushd, popd, `env -C DIR`: the commands after it run elsewhere. */
function movesDirectory(c: WalkedCommand): boolean {
  if (c.base === 'cd' || c.base === 'pushd' || c.base === 'popd') return true;
  return c.base === 'env' && c.args.some((a) => a === null || /^-[a-zA-Z]*C/.test(a) || a.startsWith('--chdir'));
}

/**
 * Variables that make programs load or run other code: the dynamic loader's, shells' start-up
 * files and hooks, git's helpers and config location, pagers and editors, interpreters' options.
 * Best effort: a name not listed here may still matter to some program.
 */
const CODE_VARIABLE =
  /^(LD_\w+|DYLD_\w+|GCONV_PATH|BASH_ENV|ENV|BASH_FUNC_\S+|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|PATH|HOME|XDG_CONFIG_HOME|GIT_\w+|\w*PAGER|LESSOPEN|LESSCLOSE|EDITOR|VISUAL|\w*_ASKPASS|NODE_OPTIONS|NODE_PATH|PYTHON\w+|PERL5\w+|PERLLIB|RUBYOPT|RUBYLIB|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|npm_config_\w+|NPM_CONFIG_\w+|GOFLAGS|RUSTC_WRAPPER|RIPGREP_CONFIG_PATH|TAR_OPTIONS|MANOPT|BROWSER)$/;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?\+?=/;
/** A PATH of system directories only (`env -i PATH=/usr/bin:/bin …`) finds no program the model could have written. */
const SYSTEM_PATH = new Set(['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin']);

function runsCode(name: string, value: string | null): boolean {
  if (!CODE_VARIABLE.test(name)) return false;
  return !(name === 'PATH' && value !== null && value.split(':').every((dir) => SYSTEM_PATH.has(dir)));
}

/**
 * A variable that makes programs run other code, set for this command (`GIT_SSH_COMMAND=… git
 * fetch`, `env LD_PRELOAD=… ls`), or null. Assignments before the name are read from the
 * command's source (the walk keeps only words); `*` when they cannot be read.
 */
function codeLoadingVariable(c: WalkedCommand): string | null {
  if (c.base === 'env') {
    for (const a of c.args) {
      const name = a === null ? null : ASSIGNMENT.exec(a)?.[1];
      if (name && runsCode(name, a!.slice(a!.indexOf('=') + 1))) return name;
    }
  }
  if (!ASSIGNMENT.test(c.snippet)) return null;
  const file = parseBash(c.snippet);
  const first = 'error' in file ? undefined : file.Stmts[0]?.Cmd;
  if (!first || nodeType(first) !== 'CallExpr') return 'variables that could not be read';
  for (const assign of (first as ShCallExpr).Assigns) {
    const name = assign.Name?.Value;
    if (name && runsCode(name, assign.Value && !assign.Append ? staticWord(assign.Value) : null)) return name;
  }
  return null;
}

/**
 * What a privilege raiser runs (`sudo -u root rm x`, `doas …`, `su -c 'TEXT'`), judged by the
 * deny and ask rules: a rule covers a command however it is raised. The raiser itself is judged
 * as a command too (it needs approval by default); only rules speak for what it runs, so an
 * allow rule for `sudo *` is not undone by the defaults.
 */
function raisedItems(call: PermissionCall, c: WalkedCommand): Item[] {
  if (!PRIVILEGED_COMMANDS.has(c.base)) return [];
  const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
  const texts: string[] = [];
  if (c.base === 'su') {
    // su [options] [user] -c TEXT: TEXT is shell text.
    c.args.forEach((a, i) => {
      if (a === null) return;
      if (/^-[a-zA-Z]*c$/.test(a) || a === '--command' || a === '--session-command') {
        const text = c.args[i + 1];
        if (typeof text === 'string') texts.push(text);
      } else if (/^--(session-)?command=/.test(a)) texts.push(a.slice(a.indexOf('=') + 1));
    });
  } else {
    // sudo [options] COMMAND…: options and their values are not told apart, so every word that
    // is not an option may start the command (a deny covers more, never less).
    c.args.forEach((a, i) => {
      const rest = c.args.slice(i);
      if (typeof a === 'string' && !a.startsWith('-') && rest.every((w) => w !== null)) texts.push((rest as string[]).map(quote).join(' '));
    });
  }
  const items: Item[] = [];
  for (const text of texts) {
    for (const inner of walk(text, call.env).commands) {
      const words = [inner.name, ...inner.args];
      const rule = strictestRule(call.rules, 'terminal', (r, lenient) => r.action !== 'allow' && (r.match === undefined || commandMatches(r.match, words, { lenient: true, appendsInput: inner.appendsInput })));
      if (rule) items.push({ ...judge(`${c.base} → ${words.map((w) => w ?? '…').join(' ')}`, rule, call.mode, `it runs with raised privileges`), kind: 'command' });
    }
  }
  return items;
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

/**
 * `> file` inside a command line is a file write, judged by the write_file rules. `cwd`: where
 * a relative target is, null when that cannot be known (after a cd).
 */
function redirectItem(call: PermissionCall, target: string | null, cwd: string | null): Item {
  if (target === null) return { ...judge('> (computed file)', undefined, call.mode, 'it writes a file', { locked: 'needs approval: it writes to a file whose name is computed at run time' }), kind: 'unresolved' };
  const label = `> ${target}`;
  if (cwd === null && !target.startsWith('/') && target !== '~' && !target.startsWith('~/')) {
    return { ...judge(label, undefined, call.mode, 'it writes a file', { locked: `needs approval: it writes ${target} relative to a working directory that is only known at run time` }), kind: 'unresolved' };
  }
  const real = realTarget(target, cwd ?? call.cwd);
  if ('error' in real) return { ...judge(label, undefined, call.mode, 'it writes a file', { locked: `needs approval: ${real.error}` }), kind: 'unresolved' };
  const rule = strictestRule(call.rules, 'write_file', (r) => r.match === undefined || pathMatches(r.match, real.path, call.home));
  return { ...judge(label, rule, call.mode, `it writes ${real.path}`, { editAllowed: isInside(call.projectDir, real.path) }), kind: 'redirect', path: real.path };
}
