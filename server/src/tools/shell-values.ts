/**
 * What the sudo guard knows about a shell text before following its commands: the variables
 * it sets (so `X=sudo; $X id` is seen through), who a command word names, and where a
 * command's standard input comes from (a heredoc fed to `bash` is shell text too).
 */
import { BINDING_COMMANDS, COMMAND_RULES, OPAQUE_COMMANDS, PRIVILEGED_COMMANDS } from './command-wrappers.js';
import {
  doubleQuotedText,
  expandsAtRunTime,
  nodeType,
  shellOperators,
  staticWord,
  walk,
  wordPieces,
  type ShAssign,
  type ShCallExpr,
  type ShFile,
  type ShLit,
  type ShRedirect,
  type ShStmt,
  type ShWord,
  type ShWordIter,
} from './shell-syntax.js';

/** Variables the script sets: each value, or null when it is only known at run time. */
export class Scope {
  readonly #values = new Map<string, (string | null)[]>();
  #opaque = false;
  constructor(readonly parent: Scope | null) {}

  /** Records one value given to `name` (null: known only at run time). */
  bind(name: string, value: string | null): void {
    const list = this.#values.get(name) ?? [];
    list.push(value);
    this.#values.set(name, list);
  }

  /** After eval or source, any variable may hold anything. */
  markOpaque(): void {
    this.#opaque = true;
  }

  /** The values given to `name` here or in an enclosing script; undefined when none sets it. */
  lookup(name: string): (string | null)[] | undefined {
    return this.#values.get(name) ?? this.parent?.lookup(name);
  }

  /** True once eval or source may have set anything. */
  get opaque(): boolean {
    return this.#opaque || (this.parent?.opaque ?? false);
  }
}

/** Records every variable the script sets, so `X=sudo; $X id` is seen through. */
export function collectBindings(file: ShFile, scope: Scope): void {
  walk(file, (node) => {
    const type = nodeType(node);
    if (type === 'Assign') {
      const a = node as ShAssign;
      if (a.Name) scope.bind(a.Name.Value, a.Naked || a.Append || a.Array ? null : a.Value ? staticWord(a.Value) : '');
    } else if (type === 'WordIter') {
      const name = (node as ShWordIter).Name;
      if (name) scope.bind(name.Value, null);
    } else if (type === 'CallExpr') {
      const args = (node as ShCallExpr).Args;
      const name = args[0] ? staticWord(args[0]) : null;
      if (name && OPAQUE_COMMANDS.has(basename(name))) scope.markOpaque();
      if (name && BINDING_COMMANDS.has(basename(name))) {
        for (const word of args.slice(1)) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)(=|$)/.exec(staticWord(word) ?? '');
          if (m) scope.bind(m[1]!, null);
        }
      }
    }
    return true;
  });
}

/** The names a command word may run as, or why it cannot be known. */
export type NameResolution = { kind: 'names'; names: string[] } | { kind: 'dynamic'; why: string } | { kind: 'empty' };

/** Split like an unquoted expansion (default IFS). */
function fields(value: string): string[] {
  return value.split(/[ \t\n]+/).filter((f) => f !== '');
}

/** Who `word`, in command position, runs: its text once quotes are removed, or a variable's value (from the script, else `env`). */
export function resolveName(word: ShWord, scope: Scope, env: NodeJS.ProcessEnv): NameResolution {
  const pieces = wordPieces(word);
  const dynamic = pieces.filter((p) => p.kind === 'dynamic');
  if (expandsAtRunTime(pieces)) return { kind: 'dynamic', why: 'the command name has unquoted glob or brace characters that bash expands' };
  if (dynamic.length === 0) return { kind: 'names', names: [pieces.map((p) => (p.kind === 'text' ? p.text : '')).join('')] };

  const only = pieces.length === 1 ? pieces[0]! : null;
  if (only?.kind === 'dynamic' && only.param) {
    const name = only.param;
    if (scope.opaque) return { kind: 'dynamic', why: `the command name is $${name}, which eval or source may set to anything` };
    const bound = scope.lookup(name);
    if (bound?.some((v) => v === null)) return { kind: 'dynamic', why: `the command name is $${name}, which is set at run time` };
    const values = bound ? (bound as string[]) : [env[name] ?? ''];
    const names: string[] = [];
    for (const value of values) {
      if (only.quoted) {
        names.push(value);
        continue;
      }
      const f = fields(value);
      if (f.length === 0) return bound ? { kind: 'dynamic', why: `the command name is $${name}, which may be empty` } : { kind: 'empty' };
      if (f.length > 1 && f.some((w) => PRIVILEGED_COMMANDS.has(basename(w)) || basename(w) in COMMAND_RULES)) {
        return { kind: 'dynamic', why: `the command name is $${name}, which holds several words` };
      }
      names.push(f[0]!);
    }
    return { kind: 'names', names };
  }

  // "$HOME/bin/tool": the directory is computed, the program's own name is not.
  const last = pieces[pieces.length - 1]!;
  const safe = dynamic.every((p) => p.quoted || (p.param !== null && scope.lookup(p.param) === undefined && !scope.opaque));
  if (last.kind === 'text' && last.text.includes('/') && safe) return { kind: 'names', names: [basename(last.text)] };
  return { kind: 'dynamic', why: 'the command name is computed at run time' };
}

/** The program name of a path: /usr/bin/sudo → sudo. */
export function basename(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** Where standard input of a simple command comes from, as far as its own redirections say. */
export type Stdin = { kind: 'inherited' } | { kind: 'text'; text: string | null } | { kind: 'file' } | { kind: 'other' };

/** Where a simple command's standard input comes from, as its own redirections say. */
export function stdinOf(stmt: ShStmt): Stdin {
  const ops = shellOperators();
  let stdin: Stdin = { kind: 'inherited' };
  for (const r of stmt.Redirs) {
    if ((r.N && r.N.Value !== '0') || !ops.stdin.has(r.Op)) continue;
    if (ops.heredocs.has(r.Op)) stdin = { kind: 'text', text: heredocText(r) };
    else if (r.Op === ops.herestring) stdin = { kind: 'text', text: r.Word ? staticWord(r.Word) : null };
    else if (r.Op === ops.readFile) stdin = r.Word && staticWord(r.Word) !== null ? { kind: 'file' } : { kind: 'other' };
    else stdin = { kind: 'other' };
  }
  return stdin;
}

/** A heredoc body as the command reads it; null when it holds expansions. A quoted delimiter keeps the body verbatim. */
function heredocText(r: ShRedirect): string | null {
  const parts = r.Hdoc?.Parts ?? [];
  const quoted = (r.Word?.Parts ?? []).some((p) => nodeType(p) !== 'Lit' || (p as ShLit).Value.includes('\\'));
  let text = '';
  for (const part of parts) {
    if (nodeType(part) !== 'Lit') return null;
    text += quoted ? (part as ShLit).Value : doubleQuotedText((part as ShLit).Value);
  }
  return text;
}
