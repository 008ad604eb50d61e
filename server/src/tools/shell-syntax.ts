/**
 * The shell parser the sudo guard stands on: mvdan/sh (the parser behind shfmt), in its
 * GopherJS build `mvdan-sh`. It is the strictest bash parser on npm — it rejects what bash
 * rejects (`echo a;; b`), joins `su\<newline>do` the way bash does, and parses nested
 * backticks, heredoc bodies and process substitutions into real nodes. Its WASM successor
 * `sh-syntax` only returns positions, not node types, so it cannot be analysed.
 *
 * This module parses, copies the tree into plain objects (Go's field names), and removes
 * quotes from words. Nothing here decides what is allowed.
 */
import { createRequire } from 'node:module';
import { homedir } from 'node:os';

/**
 * A syntax node, copied out of the Go structures into a plain object: `type` is the Go type
 * name ("CallExpr", "Lit", …), the other fields keep Go's names. Positions are dropped, except
 * `pos` and `end` (source offsets) on CallExpr, which refusals quote.
 */
export interface ShNode {
  type: string;
  pos?: number;
  end?: number;
}
/** A parsed text: its statements. */
export interface ShFile extends ShNode {
  Stmts: ShStmt[];
}
/** One statement: a command and the redirections that apply to it. */
export interface ShStmt extends ShNode {
  Cmd: ShNode | null;
  Redirs: ShRedirect[];
}
/** A simple command: leading assignments, then words (name first). */
export interface ShCallExpr extends ShNode {
  Assigns: ShAssign[];
  Args: ShWord[];
}
/** A word made of parts: literals, quotes, expansions. */
export interface ShWord extends ShNode {
  Parts: ShNode[];
}
/** Literal text, backslashes still in. */
export interface ShLit extends ShNode {
  Value: string;
}
/** '…' or $'…'. */
export interface ShSglQuoted extends ShNode {
  /** `$'…'`: ANSI-C escapes apply. */
  Dollar: boolean;
  Value: string;
}
/** "…": literals and expansions. */
export interface ShDblQuoted extends ShNode {
  Parts: ShNode[];
}
/** $NAME or ${…}; any field set beyond Param makes it more than a plain lookup. */
export interface ShParamExp extends ShNode {
  Short: boolean;
  Excl: boolean;
  Length: boolean;
  Width: boolean;
  Param: ShLit | null;
  Index: unknown;
  Slice: unknown;
  Repl: unknown;
  Names: number;
  Exp: unknown;
}
/** NAME=value, NAME+=value, NAME=(…), or a bare NAME after declare/export. */
export interface ShAssign extends ShNode {
  Name: ShLit | null;
  Value: ShWord | null;
  Array: unknown;
  Naked: boolean;
  Append: boolean;
}
/** A redirection; heredocs carry their body in Hdoc. */
export interface ShRedirect extends ShNode {
  Op: number;
  /** The file descriptor written before the operator (`3<`), if any. */
  N: ShLit | null;
  Word: ShWord | null;
  Hdoc: ShWord | null;
}
/** `for NAME in …`: the loop variable. */
export interface ShWordIter extends ShNode {
  Name: ShLit | null;
}

/**
 * A value inside mvdan-sh's GopherJS runtime. Pointers carry their Go type in
 * `constructor.string` ("*syntax.CallExpr"), a nil pointer is its type's `nil`, a nil
 * interface has no type, and slices are windows on a backing array.
 */
interface GoValue {
  constructor: { string?: string; nil?: unknown };
  $array?: unknown[];
  $offset?: number;
  $length?: number;
  Pos?: () => { Offset(): number };
  End?: () => { Offset(): number };
  [field: string]: unknown;
}

interface MvdanSyntax {
  NewParser(...options: unknown[]): { Parse(src: string, name: string): { __internal_object__: GoValue } };
}

const require = createRequire(import.meta.url);
type MvdanParser = ReturnType<MvdanSyntax['NewParser']>;
let parser: MvdanParser | null = null;

/**
 * One parser, made on first use: evaluating the 1.5 MB GopherJS bundle takes a fraction of a
 * second, paid only by servers that check a command. Go's Parse resets the parser each time, and
 * parses are synchronous, so one serves every call — a new parser per call was half the cost
 * of judging a short command (GopherJS allocates its buffers anew).
 */
function mvdanParser(): MvdanParser {
  parser ??= (require('mvdan-sh') as { syntax: MvdanSyntax }).syntax.NewParser();
  return parser;
}

/**
 * Copies the Go tree into plain objects once. mvdan-sh's own wrappers rebuild a JS object at
 * every field access, which made walking a long command take seconds; the copy reads each Go
 * field once (mvdan-sh is frozen at 0.10.1, so its runtime layout cannot change under us).
 */
function toPlain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const v = value as GoValue;
  const name = v.constructor?.string;
  if (typeof name !== 'string') return null;
  if (name.startsWith('[]')) {
    const out: unknown[] = [];
    for (let i = 0; i < (v.$length ?? 0); i++) out.push(toPlain(v.$array![v.$offset! + i]));
    return out;
  }
  if (!name.startsWith('*syntax.') || name === '*syntax.Pos') return undefined;
  if (v === v.constructor.nil) return null;
  const node: Record<string, unknown> = { type: name.slice('*syntax.'.length) };
  for (const key of Object.keys(v)) {
    if (key === '$val') continue;
    const field = toPlain(v[key]);
    if (field !== undefined) node[key] = field;
  }
  if (node.type === 'CallExpr') {
    node.pos = v.Pos!().Offset();
    node.end = v.End!().Offset();
  }
  return node;
}

/** The Go type name of a node ("CallExpr", "Lit", …). */
export function nodeType(node: ShNode): string {
  return node.type;
}

/** Visits `node` and everything below it, parents first; return false from `visit` to skip a node's children. */
export function walk(node: ShNode, visit: (node: ShNode) => boolean): void {
  if (!visit(node)) return;
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item === 'object') walk(item as ShNode, visit);
    } else if (value && typeof value === 'object') walk(value as ShNode, visit);
  }
}

/** A parse that failed, with mvdan's message ("1:9: reached EOF without closing quote '"). */
export interface ParseFailure {
  error: string;
}

/** Parses bash source; a syntax error is an answer, not an exception. */
export function parseBash(src: string): ShFile | ParseFailure {
  let file: GoValue | undefined;
  try {
    file = mvdanParser().Parse(src, '').__internal_object__;
  } catch (err) {
    const e = err as { Error?: () => string; message?: string } | null;
    return { error: e?.Error?.() ?? e?.message ?? String(err) };
  }
  if (file?.constructor?.string !== '*syntax.File') throw new Error('mvdan-sh returned no syntax tree (unexpected runtime layout)');
  return toPlain(file) as ShFile;
}

/** The source text of a CallExpr. */
export function sourceOf(src: string, node: ShNode): string {
  return src.slice(node.pos ?? 0, node.end ?? src.length);
}

/** The operator numbers of this mvdan build, learned by parsing samples (GopherJS exposes Go's enums as bare numbers). */
interface Operators {
  heredocs: Set<number>;
  herestring: number;
  readFile: number;
  /** Every operator that redirects standard input when no fd is named: `<`, `<>`, `<&`, heredocs, herestrings. */
  stdin: Set<number>;
}
let operators: Operators | null = null;

/** Calibrated once, so nothing depends on how Go numbered its tokens. */
export function shellOperators(): Operators {
  if (operators) return operators;
  const redirect = (src: string): number => {
    const file = parseBash(src);
    const op = 'error' in file ? undefined : file.Stmts[0]?.Redirs[0]?.Op;
    if (op === undefined) throw new Error(`shell parser cannot parse its own sample ${JSON.stringify(src)}`);
    return op;
  };
  const heredocs = new Set([redirect('a <<E\nE\n'), redirect('a <<-E\nE\n')]);
  const herestring = redirect('a <<< b');
  const readFile = redirect('a < b');
  operators = { heredocs, herestring, readFile, stdin: new Set([...heredocs, herestring, readFile, redirect('a <> b'), redirect('a <&3')]) };
  return operators;
}

/**
 * One piece of a word after quote removal: text known now, or a part only the running shell
 * knows (an expansion). `quoted` pieces are never split into fields or globbed.
 */
export type WordPiece =
  | {
      kind: 'text';
      text: string;
      quoted: boolean;
      /** The text with every quoted or escaped character replaced by NUL: what brace and pathname expansion see. */
      skeleton: string;
    }
  | { kind: 'dynamic'; node: ShNode; quoted: boolean; /** `$NAME` or `${NAME}` with nothing else */ param: string | null };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function simpleParam(node: ShParamExp): string | null {
  const plain = !node.Excl && !node.Length && !node.Width && !node.Index && !node.Slice && !node.Repl && !node.Names && !node.Exp;
  const name = node.Param?.Value ?? '';
  return plain && NAME.test(name) ? name : null;
}

/** Unquoted text: a backslash quotes the next character (and hides it from expansion). */
function unquotedText(value: string): Extract<WordPiece, { kind: 'text' }> {
  let text = '';
  let skeleton = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      text += value[i + 1] ?? '';
      skeleton += '\0';
      i++;
      continue;
    }
    text += c;
    skeleton += c;
  }
  return { kind: 'text', text, quoted: false, skeleton };
}

/** Quoted text expands to itself. */
function quotedText(text: string): Extract<WordPiece, { kind: 'text' }> {
  return { kind: 'text', text, quoted: true, skeleton: '\0'.repeat(text.length) };
}

/**
 * What bash may rewrite in a word before running it: brace expansion (`{a,b}`, `{1..3}`) and
 * pathname expansion (`*`, `?`, `[…]`), each only when unquoted. A lone `[` or `{}` is text.
 */
const EXPANDS = /\{[^{}]*(?:,|\.\.)[^{}]*\}|[*?]|\[[^\]]*\]/;

/** True when brace or pathname expansion could change a word made of these pieces. */
export function expandsAtRunTime(pieces: readonly WordPiece[]): boolean {
  return EXPANDS.test(pieces.map((p) => (p.kind === 'text' ? p.skeleton : '\0')).join(''));
}

/** Inside double quotes (and unquoted heredocs) a backslash only quotes $ ` " \ and newline. */
export function doubleQuotedText(value: string): string {
  return value.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** Decodes bash's `$'…'` escapes: \n, \x73, \163, \u0073, \cA, … */
export function ansiCText(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c !== '\\' || i + 1 >= value.length) {
      out += c;
      continue;
    }
    const e = value[++i]!;
    const hex = (max: number) => {
      const m = new RegExp(`^[0-9a-fA-F]{1,${max}}`).exec(value.slice(i + 1));
      if (!m) return `\\${e}`;
      i += m[0].length;
      return String.fromCodePoint(parseInt(m[0], 16));
    };
    if (e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e];
    else if (e === 'x') out += hex(2);
    else if (e === 'u') out += hex(4);
    else if (e === 'U') out += hex(8);
    else if (e >= '0' && e <= '7') {
      const m = /^[0-7]{1,3}/.exec(value.slice(i))!;
      i += m[0].length - 1;
      out += String.fromCharCode(parseInt(m[0], 8) & 0xff);
    } else if (e === 'c' && i + 1 < value.length) out += String.fromCharCode(value.charCodeAt(++i) & 0x1f);
    else out += `\\${e}`;
  }
  return out;
}

/** A word's pieces after quote removal, in order. */
export function wordPieces(word: ShWord): WordPiece[] {
  const pieces: WordPiece[] = [];
  const add = (part: ShNode, quoted: boolean): void => {
    const type = nodeType(part);
    if (type === 'Lit') {
      const value = (part as ShLit).Value;
      pieces.push(quoted ? quotedText(doubleQuotedText(value)) : unquotedText(value));
    } else if (type === 'SglQuoted') {
      const q = part as ShSglQuoted;
      pieces.push(quotedText(q.Dollar ? ansiCText(q.Value) : q.Value));
    } else if (type === 'DblQuoted') {
      for (const inner of (part as ShDblQuoted).Parts) add(inner, true);
    } else {
      pieces.push({ kind: 'dynamic', node: part, quoted, param: type === 'ParamExp' ? simpleParam(part as ShParamExp) : null });
    }
  };
  for (const part of word.Parts) add(part, false);
  // A leading unquoted ~ or ~/ is the home directory; ~user stays text (only its basename matters here).
  const head = pieces[0];
  if (head?.kind === 'text' && !head.quoted && (head.text === '~' || head.text.startsWith('~/'))) head.text = homedir() + head.text.slice(1);
  return pieces;
}

/** A word's value when it is known before running: no expansions, no unquoted globs or braces. */
export function staticWord(word: ShWord): string | null {
  const pieces = wordPieces(word);
  if (expandsAtRunTime(pieces)) return null;
  let text = '';
  for (const p of pieces) {
    if (p.kind === 'dynamic') return null;
    text += p.text;
  }
  return text;
}
