/**
 * Every simple command a shell text would run, found statically: the sudo guard and the
 * permission engine both stand on this walk.
 *
 * It parses the text with a real bash parser (shell-syntax.ts) and visits every simple command
 * anywhere in the tree — pipelines, lists, subshells, groups, functions, loops, command and
 * process substitutions, heredoc bodies — resolving quotes and escapes in the command name
 * (`"su"do`, `s\udo`, `$'\x73udo'`, `/usr/bin/sudo`). Programs that run other programs are
 * followed through the data in command-wrappers.ts (`env -i X=1 sudo`, `xargs sudo`,
 * `bash -c '…'`, `eval`, `find -exec`, `watch`, …), shell text recursively.
 *
 * What cannot be known statically — text that does not parse, a command name computed at run
 * time (`$(which sudo)`, `${X:-sudo}`, `{sudo,x}`), shell text it cannot see (commands piped
 * into `bash`), nesting past SUDO_GUARD_MAX_DEPTH — is reported as Unresolved, never guessed.
 * What it does not see: the contents of scripts and programs the command starts.
 */
import { SUDO_GUARD_MAX_DEPTH } from '../limits.js';
import { COMMAND_RULES, type ShellRule, type WrapperRule } from './command-wrappers.js';
import { nodeType, parseBash, shellOperators, sourceOf, staticWord, walk, type ShCallExpr, type ShNode, type ShStmt, type ShWord } from './shell-syntax.js';
import { basename, collectBindings, resolveName, Scope, stdinOf, type Stdin } from './shell-values.js';

/** One simple command the text would run, as far as it is known statically. */
export interface WalkedCommand {
  /** The program as named (a path stays a path). */
  name: string;
  /** Its basename: what rules and tables key on. */
  base: string;
  /** The words after the name; null for a word only known at run time. */
  args: (string | null)[];
  /** How this text was reached, outermost first, e.g. ["bash -c", "eval"]. */
  via: readonly string[];
  /** The source of the simple command it belongs to, whitespace folded. */
  snippet: string;
  /** The name came out of a variable (`x=ls; $x`), not literal text. */
  computedName: boolean;
  /** Input will be appended to its words (xargs, parallel). */
  appendsInput: boolean;
  /** Files its statement writes by redirection (`> out`); null for a target known only at run time. */
  writes: (string | null)[];
  /** Set when the walk followed a command or shell text this one runs (a wrapper's command, `bash -c` text). */
  runs: boolean;
}

/** Something the walk could not see through, and why. */
export interface Unresolved {
  kind: 'computed' | 'syntax' | 'depth' | 'stdin-shell';
  /** computed: why; syntax: the parser's message; depth: the path; stdin-shell: the shell's name. */
  detail: string;
  /** " (inside bash -c → eval)" or "". */
  where: string;
  snippet: string;
  via: readonly string[];
}

/** Thrown inside the walk for what it cannot see; `UnresolvedError.unresolved` holds the details. */
export class UnresolvedError extends Error {
  constructor(readonly unresolved: Unresolved) {
    super(`${unresolved.kind}: ${unresolved.detail}`);
  }
}

export interface WalkOptions {
  /** The environment the command runs in: `$EDITOR file` runs whatever EDITOR holds. */
  env: NodeJS.ProcessEnv;
  /**
   * Called for each command as it is reached. It may throw to stop the walk at once (the sudo
   * guard does, on a privileged program); an UnresolvedError it throws counts as unresolved.
   */
  visit?: (command: WalkedCommand) => void;
  /**
   * false (the sudo guard): the first unresolved thing of a text is thrown once that text is
   * walked. true (the permission engine): every unresolved thing is collected and the walk goes on.
   */
  collect?: boolean;
}

/** What the walk found. */
export interface WalkResult {
  commands: WalkedCommand[];
  unresolved: Unresolved[];
}

const SNIPPET_MAX_CHARS = 120;

/** Walks `src`; see the module comment. Throws UnresolvedError (collect false) or what `visit` throws. */
export function walkCommands(src: string, options: WalkOptions): WalkResult {
  const walker = new Walker(options);
  walker.script(src, null, null, { env: options.env });
  return { commands: walker.commands, unresolved: walker.unresolved };
}

/** One parsed shell text: the top-level command or a nested one (bash -c, eval, heredoc fed to sh). */
interface Frame {
  src: string;
  depth: number;
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
  /** The node quoted in a report. */
  node: ShNode;
  stdin: Stdin;
  writes: (string | null)[];
  appendsInput: boolean;
  placeholder: string | null;
  /** The placeholder is pasted into text unquoted (xargs -I, find -exec): inside shell text it is code. */
  placeholderRaw: boolean;
  /** The command that runs this one (its `runs` is set when this one is reached). */
  parent: WalkedCommand | null;
}

/** How a text is run: its environment, and for parallel's text, input appended and a placeholder in command names. */
type TextOptions = Pick<Frame, 'env'> & Partial<Pick<Frame, 'appendsInput' | 'placeholder'>>;

function where(frame: Frame): string {
  return frame.via.length ? ` (inside ${frame.via.join(' → ')})` : '';
}

function snippetOf(frame: Frame, node: ShNode): string {
  const text = sourceOf(frame.src, node).replace(/\s+/g, ' ').trim();
  return text.length > SNIPPET_MAX_CHARS ? `${text.slice(0, SNIPPET_MAX_CHARS)}…` : text;
}

function unresolved(kind: Unresolved['kind'], detail: string, frame: Frame, snippet: string): never {
  throw new UnresolvedError({ kind, detail, where: where(frame), snippet, via: frame.via });
}

function computed(call: Call, why: string): never {
  unresolved('computed', why, call.frame, snippetOf(call.frame, call.node));
}

/** Output redirections of a statement: the files it writes (fd duplications like `2>&1` write nowhere new). */
function writesOf(stmt: ShStmt): (string | null)[] {
  const ops = shellOperators();
  return stmt.Redirs.flatMap((r) => {
    if (ops.stdin.has(r.Op) || r.Hdoc) return [];
    const target = r.Word ? staticWord(r.Word) : null;
    return target !== null && /^\d+$|^-$/.test(target) ? [] : [target];
  });
}

class Walker {
  readonly commands: WalkedCommand[] = [];
  readonly unresolved: Unresolved[] = [];
  constructor(private readonly options: WalkOptions) {}

  /** Parses one shell text and follows every simple command in it; `via` says how it was reached from its parent. */
  script(src: string, parent: Frame | null, via: string | null, init: TextOptions): void {
    const depth = parent ? parent.depth + 1 : 0;
    const path = parent ? [...parent.via, via ?? 'nested text'] : [];
    const scope = new Scope(parent?.scope ?? null);
    const frame: Frame = { src, depth, via: path, scope, env: init.env, appendsInput: init.appendsInput ?? false, placeholder: init.placeholder ?? null };
    if (depth > SUDO_GUARD_MAX_DEPTH) unresolved('depth', path.join(' → '), frame, src.slice(0, SNIPPET_MAX_CHARS));
    const file = parseBash(src);
    if ('error' in file) unresolved('syntax', file.error, { ...frame, via: path }, src.slice(0, SNIPPET_MAX_CHARS));
    collectBindings(file, scope);
    let deferred: UnresolvedError | null = null;
    walk(file, (node) => {
      if (nodeType(node) !== 'Stmt') return true;
      const stmt = node as ShStmt;
      if (stmt.Cmd && nodeType(stmt.Cmd) === 'CallExpr') {
        const call: Call = {
          frame,
          node: stmt.Cmd,
          stdin: stdinOf(stmt),
          writes: writesOf(stmt),
          appendsInput: frame.appendsInput,
          placeholder: frame.placeholder,
          placeholderRaw: false,
          parent: null,
        };
        try {
          this.argv((stmt.Cmd as ShCallExpr).Args, call);
        } catch (err) {
          if (!(err instanceof UnresolvedError)) throw err;
          if (this.options.collect) this.unresolved.push(err.unresolved);
          else deferred ??= err;
        }
      }
      return true;
    });
    if (deferred) throw deferred;
  }

  /** Follows one simple command given as words (name first). */
  argv(words: readonly ShWord[], call: Call): void {
    if (words.length === 0) {
      if (call.appendsInput) computed(call, 'the command to run comes from the input of xargs or parallel');
      return;
    }
    const resolved = resolveName(words[0]!, call.frame.scope, call.frame.env);
    if (resolved.kind === 'empty') return this.argv(words.slice(1), call);
    if (resolved.kind === 'dynamic') computed(call, resolved.why);
    const literal = staticWord(words[0]!) !== null;
    for (const name of resolved.names) this.named(name, words.slice(1), call, !literal);
  }

  /** Follows a command whose program name is known: visited, then looked into when it runs other programs. */
  named(name: string, rest: readonly ShWord[], call: Call, computedName: boolean): void {
    if (call.placeholder && name.includes(call.placeholder)) computed(call, `the command name contains ${call.placeholder}, which is replaced by input`);
    const base = basename(name);
    const command: WalkedCommand = {
      name,
      base,
      args: rest.map(staticWord),
      via: call.frame.via,
      snippet: snippetOf(call.frame, call.node),
      computedName,
      appendsInput: call.appendsInput,
      writes: call.writes,
      runs: false,
    };
    if (call.parent) call.parent.runs = true;
    this.commands.push(command);
    this.options.visit?.(command);
    const rule = COMMAND_RULES[base];
    if (!rule) return;
    const inner: Call = { ...call, parent: command, writes: [] };
    switch (rule.kind) {
      case 'wrapper':
        return this.unwrap(base, rule, rest, inner);
      case 'shell':
        return this.shell(base, rule, rest, inner);
      case 'eval':
        return this.text(inner, this.staticWords(rest, inner, 'the text given to eval is computed at run time').join(' '), 'eval');
      case 'trap':
        return this.trap(rest, inner);
      case 'alias':
        for (const text of this.staticWords(rest, inner, 'an alias is computed at run time')) {
          const eq = text.indexOf('=');
          if (eq > 0) this.text(inner, text.slice(eq + 1), 'alias');
        }
        return;
      case 'find':
        return this.find(rest, inner);
    }
  }

  staticWords(words: readonly ShWord[], call: Call, why: string): string[] {
    return words.map((w) => staticWord(w) ?? computed(call, why));
  }

  /** Shell text run by a command of this call: parsed and followed like the top level. */
  text(call: Call, text: string, via: string, appendsInput = false): void {
    if (call.placeholder && call.placeholderRaw && text.includes(call.placeholder)) {
      computed(call, `${call.placeholder} is pasted into shell text unquoted, so input becomes code`);
    }
    if (call.parent) call.parent.runs = true;
    this.script(text, call.frame, via, { env: call.frame.env, appendsInput, placeholder: call.placeholderRaw ? null : call.placeholder });
  }

  /** Finds the program a wrapper runs (after its options and operands) and follows it; option values that are shell text are followed too. */
  unwrap(name: string, rule: WrapperRule, words: readonly ShWord[], call: Call): void {
    let placeholder = rule.placeholder ?? call.placeholder;
    let placeholderRaw = rule.placeholder ? false : call.placeholderRaw;
    let joins = rule.joins ?? false;
    const textOf = (w: ShWord | undefined): string => (w ? (staticWord(w) ?? computed(call, `an argument of ${name} is computed at run time, so what it runs is unknown`)) : '');
    const runText = (text: string, option: string) => this.text({ ...call, placeholder, placeholderRaw }, text, `${name} ${option}`);

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
      if (appendsInput) computed(call, `the command ${name} runs comes from its input`);
      return;
    }
    if (joins) return this.text({ ...call, placeholder, placeholderRaw }, command.map(textOf).join(' '), name, appendsInput);
    this.argv(command, { ...call, appendsInput, placeholder, placeholderRaw });
  }

  /** A shell runs `-c TEXT`, a script file (not inspected), or what its standard input holds. */
  shell(name: string, rule: ShellRule, words: readonly ShWord[], call: Call): void {
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
          return this.text(call, text ?? computed(call, `the text given to ${name} ${opt} is computed at run time`), `${name} ${opt}`);
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
        if (call.appendsInput) computed(call, `the text ${name} -c runs comes from input`);
        return;
      }
      const text = textOf(operands[0]) ?? computed(call, `the text given to ${name} -c is computed at run time`);
      return this.text(call, text, `${name} -c`);
    }
    // A script file: its contents are not inspected (nor are other programs').
    if ((operands.length > 0 && !readsStdin) || call.appendsInput) return;
    const stdin = call.stdin;
    if (stdin.kind === 'file') return;
    if (stdin.kind === 'text') {
      return this.text(call, stdin.text ?? computed(call, `the text fed to ${name} is computed at run time`), `${name} reading a heredoc`);
    }
    unresolved('stdin-shell', name, call.frame, snippetOf(call.frame, call.node));
  }

  /** `trap [-lpP] [--] ACTION SIGNAL…`: ACTION is shell text (`-` or '' resets the signal). */
  trap(words: readonly ShWord[], call: Call): void {
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
    const text = staticWord(operands[0]!) ?? computed(call, 'the action given to trap is computed at run time');
    if (text !== '-') this.text(call, text, 'trap');
  }

  /** Each `-exec CMD … ;` (or `+`) of find runs CMD with file names in place of `{}`. */
  find(words: readonly ShWord[], call: Call): void {
    const EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);
    const END = new Set([';', '+']);
    for (let i = 0; i < words.length; i++) {
      const t = staticWord(words[i]!);
      if (t !== null && END.has(t)) computed(call, `find has a \`${t}\` that ends no literal -exec, so an -exec may be computed at run time`);
      if (t === null || !EXEC.has(t)) continue;
      let end = i + 1;
      while (end < words.length && !END.has(staticWord(words[end]!) ?? '')) end++;
      this.argv(words.slice(i + 1, end), { ...call, appendsInput: false, placeholder: '{}', placeholderRaw: true });
      i = end;
    }
  }
}
