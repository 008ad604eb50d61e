/**
 * The sudo guard: would this shell command run sudo, sudoedit, doas, pkexec, su or run0?
 *
 * It parses the command with a real bash parser (shell-syntax.ts) and looks at every simple
 * command anywhere in the tree — pipelines, lists, subshells, groups, functions, loops,
 * command and process substitutions, heredoc bodies — resolving quotes and escapes in the
 * command name (`"su"do`, `s\udo`, `$'\x73udo'`, `/usr/bin/sudo`). Programs that run other
 * programs are followed through the data in command-wrappers.ts (`env -i X=1 sudo`, `xargs
 * sudo`, `bash -c '…'`, `eval`, `find -exec`, `watch`, …), shell text recursively.
 *
 * It fails closed: text it cannot parse, a command name computed at run time (`$(which sudo)`,
 * `${X:-sudo}`, `{sudo,x}`), shell text it cannot see (commands piped into `bash`), or nesting
 * past SUDO_GUARD_MAX_DEPTH is refused with the reason. What it does not see: the contents of
 * scripts and programs the command starts (`./deploy.sh`, `python -c`, `make`).
 */
import { SUDO_GUARD_MAX_DEPTH } from '../limits.js';
import { COMMAND_RULES, PRIVILEGED_COMMANDS, type ShellRule, type WrapperRule } from './command-wrappers.js';
import { nodeType, parseBash, sourceOf, staticWord, walk, type ShCallExpr, type ShNode, type ShStmt, type ShWord } from './shell-syntax.js';
import { basename, collectBindings, resolveName, Scope, stdinOf, type Stdin } from './shell-values.js';

/** The guard's answer; `reason` says what was found and where, in words a model can act on. */
export type SudoVerdict = { blocked: false } | { blocked: true; reason: string };

/** What the command will run with. */
export interface SudoGuardOptions {
  /** The environment the command runs in: `$EDITOR file` runs whatever EDITOR holds. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Decides whether `command` would raise privileges; see the module comment for what is followed. */
export function checkCommand(command: string, options: SudoGuardOptions = {}): SudoVerdict {
  try {
    analyzeScript(command, null, null, { env: options.env ?? process.env });
    return { blocked: false };
  } catch (err) {
    if (err instanceof Refusal) return { blocked: true, reason: err.message };
    // Fail closed: a command the guard could not finish checking (too deep for the stack, a parser fault) does not run.
    return { blocked: true, reason: `Blocked: the command could not be checked for sudo (${(err as Error).message}), so it is not run.` };
  }
}

const PRIVILEGED_LIST = [...PRIVILEGED_COMMANDS].join(', ');
const SNIPPET_MAX_CHARS = 120;

/**
 * Thrown inside the analysis. A privileged command found unwinds at once; any other reason
 * (computed name, unparsable text) waits until the rest of its script is walked, so that
 * `` `sudo id` `` is reported as sudo rather than as a computed command name.
 */
class Refusal extends Error {
  constructor(
    message: string,
    readonly privileged = false,
  ) {
    super(message);
  }
}

/** One parsed shell text: the top-level command or a nested one (bash -c, eval, heredoc fed to sh). */
interface Frame {
  src: string;
  depth: number;
  /** How this text was reached, outermost first, e.g. ["bash -c", "eval"]. */
  via: readonly string[];
  scope: Scope;
  env: NodeJS.ProcessEnv;
  /** Input will be appended to every command of this text (parallel runs its text with input added). */
  appendsInput: boolean;
  /** Names containing this are replaced by input (parallel's `{}`). */
  placeholder: string | null;
}

/** One simple command being followed (a wrapper's inner command shares the outer one's context). */
interface Call {
  frame: Frame;
  /** The node quoted in a refusal. */
  node: ShNode;
  stdin: Stdin;
  appendsInput: boolean;
  placeholder: string | null;
  /** The placeholder is pasted into text unquoted (xargs -I, find -exec): inside shell text it is code. */
  placeholderRaw: boolean;
}

function where(frame: Frame): string {
  return frame.via.length ? ` (inside ${frame.via.join(' → ')})` : '';
}

function snippet(call: Call): string {
  const text = sourceOf(call.frame.src, call.node).replace(/\s+/g, ' ').trim();
  return text.length > SNIPPET_MAX_CHARS ? `${text.slice(0, SNIPPET_MAX_CHARS)}…` : text;
}

function refusePrivileged(call: Call, name: string): never {
  throw new Refusal(
    `Blocked: this command would run ${name}${where(call.frame)}: \`${snippet(call)}\`. ` +
      `Commands that raise privileges (${PRIVILEGED_LIST}) do not run unless sudo_bypass is turned on in the profile.`,
    true,
  );
}

function refuseComputed(call: Call, why: string): never {
  throw new Refusal(
    `Blocked: ${why}${where(call.frame)}: \`${snippet(call)}\`, so Atelier cannot tell whether it would run sudo. ` +
      'Write the command out literally.',
  );
}

/** How a text is run: its environment, and for parallel's text, input appended and a placeholder in command names. */
type TextOptions = Pick<Frame, 'env'> & Partial<Pick<Frame, 'appendsInput' | 'placeholder'>>;

/** Parses one shell text and follows every simple command in it; `via` says how it was reached from its parent. */
function analyzeScript(src: string, parent: Frame | null, via: string | null, init: TextOptions): void {
  const depth = parent ? parent.depth + 1 : 0;
  const path = parent ? [...parent.via, via ?? 'nested text'] : [];
  if (depth > SUDO_GUARD_MAX_DEPTH) {
    throw new Refusal(`Blocked: shell text nested more than ${SUDO_GUARD_MAX_DEPTH} levels deep (${path.join(' → ')}) is not followed, so it cannot be checked for sudo.`);
  }
  const file = parseBash(src);
  if ('error' in file) {
    const inside = path.length ? ` inside ${path.join(' → ')}` : '';
    throw new Refusal(`Blocked: the command is not valid shell syntax${inside} (${file.error}); a command that cannot be parsed cannot be checked for sudo, so it is not run.`);
  }
  const scope = new Scope(parent?.scope ?? null);
  collectBindings(file, scope);
  const frame: Frame = { src, depth, via: path, scope, env: init.env, appendsInput: init.appendsInput ?? false, placeholder: init.placeholder ?? null };
  let deferred: Refusal | null = null;
  walk(file, (node) => {
    if (nodeType(node) !== 'Stmt') return true;
    const stmt = node as ShStmt;
    if (stmt.Cmd && nodeType(stmt.Cmd) === 'CallExpr') {
      const call: Call = { frame, node: stmt.Cmd, stdin: stdinOf(stmt), appendsInput: frame.appendsInput, placeholder: frame.placeholder, placeholderRaw: false };
      try {
        analyzeArgv((stmt.Cmd as ShCallExpr).Args, call);
      } catch (err) {
        if (!(err instanceof Refusal) || err.privileged) throw err;
        deferred ??= err;
      }
    }
    return true;
  });
  if (deferred) throw deferred;
}

/** Follows one simple command given as words (name first). */
function analyzeArgv(words: readonly ShWord[], call: Call): void {
  if (words.length === 0) {
    if (call.appendsInput) refuseComputed(call, 'the command to run comes from the input of xargs or parallel');
    return;
  }
  const resolved = resolveName(words[0]!, call.frame.scope, call.frame.env);
  if (resolved.kind === 'empty') return analyzeArgv(words.slice(1), call);
  if (resolved.kind === 'dynamic') refuseComputed(call, resolved.why);
  for (const name of resolved.names) analyzeNamed(name, words.slice(1), call);
}

/** Follows a command whose program name is known: refused when privileged, looked into when it runs other programs. */
function analyzeNamed(name: string, rest: readonly ShWord[], call: Call): void {
  if (call.placeholder && name.includes(call.placeholder)) refuseComputed(call, `the command name contains ${call.placeholder}, which is replaced by input`);
  const base = basename(name);
  if (PRIVILEGED_COMMANDS.has(base)) refusePrivileged(call, base);
  const rule = COMMAND_RULES[base];
  if (!rule) return;
  switch (rule.kind) {
    case 'wrapper':
      return unwrap(base, rule, rest, call);
    case 'shell':
      return analyzeShell(base, rule, rest, call);
    case 'eval':
      return analyzeText(call, staticWords(rest, call, 'the text given to eval is computed at run time').join(' '), 'eval');
    case 'trap':
      return analyzeTrap(rest, call);
    case 'alias':
      for (const text of staticWords(rest, call, 'an alias is computed at run time')) {
        const eq = text.indexOf('=');
        if (eq > 0) analyzeText(call, text.slice(eq + 1), 'alias');
      }
      return;
    case 'find':
      return analyzeFind(rest, call);
  }
}

function staticWords(words: readonly ShWord[], call: Call, why: string): string[] {
  return words.map((w) => staticWord(w) ?? refuseComputed(call, why));
}

/** Shell text run by a command of this call: parsed and followed like the top level. */
function analyzeText(call: Call, text: string, via: string, appendsInput = false): void {
  if (call.placeholder && call.placeholderRaw && text.includes(call.placeholder)) {
    refuseComputed(call, `${call.placeholder} is pasted into shell text unquoted, so input becomes code`);
  }
  analyzeScript(text, call.frame, via, { env: call.frame.env, appendsInput, placeholder: call.placeholderRaw ? null : call.placeholder });
}

/** Finds the program a wrapper runs (after its options and operands) and follows it; option values that are shell text are followed too. */
function unwrap(name: string, rule: WrapperRule, words: readonly ShWord[], call: Call): void {
  let placeholder = rule.placeholder ?? call.placeholder;
  let placeholderRaw = rule.placeholder ? false : call.placeholderRaw;
  let joins = rule.joins ?? false;
  const textOf = (w: ShWord | undefined): string => (w ? (staticWord(w) ?? refuseComputed(call, `an argument of ${name} is computed at run time, so what it runs is unknown`)) : '');
  const runText = (text: string, option: string) => analyzeText({ ...call, placeholder, placeholderRaw }, text, `${name} ${option}`);

  let i = 0;
  options: for (; i < words.length; i++) {
    // A computed word ends the options: it is an operand or the command (whose name is then refused).
    const t = staticWord(words[i]!);
    if (t === null) break;
    if (t === '-') continue;
    if (t === '--') {
      i++;
      break;
    }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const opt = eq < 0 ? t : t.slice(0, eq);
      const value = eq < 0 ? undefined : t.slice(eq + 1);
      if (rule.commandLong?.includes(opt)) runText(value ?? textOf(words[++i]), opt);
      else if (opt === rule.placeholderLong) {
        placeholder = value ?? '{}';
        placeholderRaw = true;
      } else if (rule.longValue?.includes(opt) && value === undefined) i++;
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      for (let j = 1; j < t.length; j++) {
        const ch = t[j]!;
        const attached = t.slice(j + 1);
        if (rule.noRunShort?.includes(ch)) return;
        if (rule.execShort?.includes(ch)) joins = false;
        if (ch === rule.placeholderOptionalShort) {
          placeholder = attached || '{}';
          placeholderRaw = true;
          continue options;
        }
        if (rule.optionalShort?.includes(ch)) continue options;
        if (rule.commandShort?.includes(ch)) {
          runText(attached || textOf(words[++i]), `-${ch}`);
          continue options;
        }
        if (ch === rule.placeholderShort) {
          placeholder = attached || textOf(words[++i]);
          placeholderRaw = true;
          continue options;
        }
        if (rule.shortValue?.includes(ch)) {
          if (!attached) i++;
          continue options;
        }
      }
      continue;
    }
    if (rule.assignments && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) continue;
    break;
  }

  const operands = words.slice(i);
  // GNU getopt lets options follow operands: `flock /tmp/lock -c 'sudo id'`.
  if (rule.commandShort || rule.commandLong) {
    for (let k = 0; k < operands.length; k++) {
      const t = staticWord(operands[k]!);
      if (t && rule.commandShort && t.length === 2 && t[0] === '-' && rule.commandShort.includes(t[1]!)) runText(textOf(operands[k + 1]), t);
      else if (t && rule.commandLong?.some((o) => t === o || t.startsWith(`${o}=`))) runText(t.includes('=') ? t.slice(t.indexOf('=') + 1) : textOf(operands[k + 1]), t);
    }
  }
  if (rule.operandsNotRun) return;
  let command = operands.slice(rule.operands ?? 0);
  if (rule.terminators) {
    const end = command.findIndex((w) => rule.terminators!.includes(staticWord(w) ?? ''));
    if (end >= 0) command = command.slice(0, end);
  }
  const appendsInput = call.appendsInput || (rule.appendsInput ?? false);
  if (command.length === 0) {
    if (rule.defaultCommand) return;
    if (appendsInput) refuseComputed(call, `the command ${name} runs comes from its input`);
    return;
  }
  if (joins) return analyzeText({ ...call, placeholder, placeholderRaw }, command.map(textOf).join(' '), name, appendsInput);
  analyzeArgv(command, { ...call, appendsInput, placeholder, placeholderRaw });
}

/** A shell runs `-c TEXT`, a script file (not inspected), or what its standard input holds. */
function analyzeShell(name: string, rule: ShellRule, words: readonly ShWord[], call: Call): void {
  const textOf = (w: ShWord | undefined): string | null => (w ? staticWord(w) : null);
  let commandMode = false;
  let readsStdin = false;
  let i = 0;
  for (; i < words.length; i++) {
    // A computed word ends the options: the script to run, or (after -c) the text, refused below.
    const t = textOf(words[i]);
    if (t === null) break;
    if (t === '--' || t === '-') {
      i++;
      break;
    }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const opt = eq < 0 ? t : t.slice(0, eq);
      if (rule.commandLong.includes(opt)) {
        const text = eq < 0 ? textOf(words[++i]) : t.slice(eq + 1);
        return analyzeText(call, text ?? refuseComputed(call, `the text given to ${name} ${opt} is computed at run time`), `${name} ${opt}`);
      }
      if (rule.longValue.includes(opt) && eq < 0) i++;
      continue;
    }
    if ((t.startsWith('-') || t.startsWith('+')) && t.length > 1) {
      for (const ch of t.slice(1)) {
        if (ch === 'c' && t[0] === '-') commandMode = true;
        if (ch === 's') readsStdin = true;
        if (rule.shortValue.includes(ch)) i++;
      }
      continue;
    }
    break;
  }
  const operands = words.slice(i);
  if (commandMode) {
    if (operands.length === 0) {
      if (call.appendsInput) refuseComputed(call, `the text ${name} -c runs comes from input`);
      return;
    }
    const text = textOf(operands[0]) ?? refuseComputed(call, `the text given to ${name} -c is computed at run time`);
    return analyzeText(call, text, `${name} -c`);
  }
  // A script file: its contents are not inspected (nor are other programs').
  if ((operands.length > 0 && !readsStdin) || call.appendsInput) return;
  const stdin = call.stdin;
  if (stdin.kind === 'file') return;
  if (stdin.kind === 'text') {
    return analyzeText(call, stdin.text ?? refuseComputed(call, `the text fed to ${name} is computed at run time`), `${name} reading a heredoc`);
  }
  throw new Refusal(
    `Blocked: \`${snippet(call)}\` starts a shell that reads its commands from standard input${where(call.frame)}, ` +
      `which Atelier cannot check for sudo. Pass the commands with ${name} -c '…' instead.`,
  );
}

/** `trap [-lpP] [--] ACTION SIGNAL…`: ACTION is shell text (`-` or '' resets the signal). */
function analyzeTrap(words: readonly ShWord[], call: Call): void {
  let i = 0;
  for (; i < words.length; i++) {
    const t = staticWord(words[i]!);
    if (t === '--') {
      i++;
      break;
    }
    if (t === null || !/^-[lpP]+$/.test(t)) break;
  }
  const operands = words.slice(i);
  if (operands.length < 2) return;
  const text = staticWord(operands[0]!) ?? refuseComputed(call, 'the action given to trap is computed at run time');
  if (text !== '-') analyzeText(call, text, 'trap');
}

/** Each `-exec CMD … ;` (or `+`) of find runs CMD with file names in place of `{}`. */
function analyzeFind(words: readonly ShWord[], call: Call): void {
  const EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);
  const END = new Set([';', '+']);
  for (let i = 0; i < words.length; i++) {
    const t = staticWord(words[i]!);
    if (t !== null && END.has(t)) refuseComputed(call, `find has a \`${t}\` that ends no literal -exec, so an -exec may be computed at run time`);
    if (t === null || !EXEC.has(t)) continue;
    let end = i + 1;
    while (end < words.length && !END.has(staticWord(words[end]!) ?? '')) end++;
    analyzeArgv(words.slice(i + 1, end), { ...call, appendsInput: false, placeholder: '{}', placeholderRaw: true });
    i = end;
  }
}
