import { isDeepStrictEqual } from 'node:util';
import type * as Jsonc from 'jsonc-parser';
import type { Edit, Node, ParseError } from 'jsonc-parser';
import { lazyModule } from '../lazy-module.js';

/** Loaded with the first edit of an editor's settings file. */
const jsonc = lazyModule<typeof Jsonc>('jsonc-parser');

/**
 * Minimal text edits of a JSON / JSONC config file: one property of one object is added,
 * replaced or removed, and every other byte — comments, trailing commas, key order, the
 * file's own indentation — stays as it was.
 *
 * jsonc-parser's `modify` is not used: with formatting on it re-indents the neighbouring
 * entry and drops a comment next to a removed one, and removing the last entry of an object
 * with a trailing comma leaves an invalid `{ , }`. Nodes are located with its parse tree and
 * scanner instead, and every edit is checked by parsing the result again (see `verifyEdit`).
 */

/** jsonc-parser's SyntaxKind is an ambient const enum, unusable under isolatedModules. */
const TOKEN = { CloseBrace: 2, Comma: 5, LineComment: 12, BlockComment: 13, LineBreak: 14, Trivia: 15 } as const;

/** Which syntax a file may use. */
export type JsonFlavor = 'json' | 'jsonc';

/** A parsed config: the tree for editing, the value for reading, errors with line and column. */
export interface ParsedJson {
  tree: Node | undefined;
  value: unknown;
  errors: string[];
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Parses `text`; strict JSON refuses comments and trailing commas, JSONC allows both. Empty text is an empty document. */
export function parseJson(text: string, flavor: JsonFlavor): ParsedJson {
  const errors: ParseError[] = [];
  const options = { allowEmptyContent: true, disallowComments: flavor === 'json', allowTrailingComma: flavor === 'jsonc' };
  const tree = jsonc().parseTree(text, errors, options);
  return {
    tree,
    value: tree ? jsonc().getNodeValue(tree) : undefined,
    errors: errors.map((e) => `${jsonc().printParseErrorCode(e.error)} at ${lineColumn(text, e.offset)}`),
  };
}

interface Style {
  unit: string;
  eol: string;
}

/** The file's indentation unit (its first indented line) and line ending. */
function styleOf(text: string): Style {
  const indented = /^([ \t]+)["/]/m.exec(text);
  return { unit: indented?.[1] ?? '  ', eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

function lineStart(text: string, offset: number): number {
  return Math.max(text.lastIndexOf('\n', offset - 1) + 1, 0);
}

/** The whitespace that starts the line holding `offset`. */
function indentOfLine(text: string, offset: number): string {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** True when only spaces and tabs sit between the start of the line and `offset`. */
function startsLine(text: string, offset: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));
}

function render(value: unknown, style: Style, baseIndent: string): string {
  return JSON.stringify(value, null, style.unit).split('\n').join(style.eol + baseIndent);
}

/** Tokens after `offset` up to the first significant one: where a comma and the end of the line are. */
function scanAfter(text: string, offset: number): { comma?: number; lineBreak?: number; lineEnd: number } {
  const scanner = jsonc().createScanner(text, false);
  scanner.setPosition(offset);
  let comma: number | undefined;
  let lineEnd = offset;
  for (;;) {
    const kind = scanner.scan() as number;
    const at = scanner.getTokenOffset();
    if (kind === TOKEN.Comma && comma === undefined) {
      comma = at;
      lineEnd = at + 1;
      continue;
    }
    if (kind === TOKEN.Trivia || kind === TOKEN.LineComment || kind === TOKEN.BlockComment) {
      lineEnd = at + scanner.getTokenLength();
      continue;
    }
    if (kind === TOKEN.LineBreak) return { ...(comma !== undefined && { comma }), lineBreak: at, lineEnd };
    return { ...(comma !== undefined && { comma }), lineEnd: comma !== undefined ? comma + 1 : offset };
  }
}

/** The comma after `offset`, crossing line breaks and comments, if the next token is one. */
function commaAfter(text: string, offset: number): number | undefined {
  const scanner = jsonc().createScanner(text, false);
  scanner.setPosition(offset);
  for (;;) {
    const kind = scanner.scan() as number;
    if (kind === TOKEN.Comma) return scanner.getTokenOffset();
    if (kind !== TOKEN.Trivia && kind !== TOKEN.LineBreak && kind !== TOKEN.LineComment && kind !== TOKEN.BlockComment) return undefined;
  }
}

/** Edits adding `"key": value` as the last property of `object`. */
function insertEdits(text: string, object: Node, key: string, value: unknown, style: Style): Edit[] {
  const props = object.children ?? [];
  const close = object.offset + object.length - 1;
  if (props.length === 0) {
    const outer = indentOfLine(text, object.offset);
    const inner = outer + style.unit;
    let from = close;
    while (from > object.offset + 1 && /\s/.test(text[from - 1]!)) from--;
    const property = `${JSON.stringify(key)}: ${render(value, style, inner)}`;
    return [{ offset: from, length: close - from, content: `${style.eol}${inner}${property}${style.eol}${outer}` }];
  }
  const first = props[0]!;
  const last = props.at(-1)!;
  const inner = startsLine(text, first.offset) ? indentOfLine(text, first.offset) : indentOfLine(text, object.offset) + style.unit;
  const property = `${JSON.stringify(key)}: ${render(value, style, inner)}`;
  const after = scanAfter(text, last.offset + last.length);
  const trailing = after.comma !== undefined;
  const edits: Edit[] = [];
  if (!trailing) edits.push({ offset: last.offset + last.length, length: 0, content: ',' });
  // Past the last property's line (its comma and comment stay with it), or right after it on a one-line object.
  const at = after.lineBreak ?? after.lineEnd;
  edits.push({ offset: at, length: 0, content: `${after.lineBreak !== undefined || at !== close ? style.eol + inner : ' '}${property}${trailing ? ',' : ''}` });
  return edits;
}

/** Edits replacing the value of an existing property. */
function replaceEdits(text: string, property: Node, value: unknown, style: Style): Edit[] {
  const valueNode = property.children![1]!;
  return [{ offset: valueNode.offset, length: valueNode.length, content: render(value, style, indentOfLine(text, property.offset)) }];
}

/** Edits removing a property with its comma, and its line when it had one to itself. */
function removeEdits(text: string, object: Node, property: Node): Edit[] {
  const props = object.children!;
  const index = props.indexOf(property);
  const end = property.offset + property.length;
  const after = scanAfter(text, end);
  const ownLine = startsLine(text, property.offset);
  if (after.comma !== undefined || index === 0) {
    // Not the last one (or the only one): take the property, its comma, and a comment on its line.
    const from = ownLine ? lineStart(text, property.offset) : property.offset;
    let to = after.lineBreak !== undefined && ownLine ? after.lineBreak + (text.startsWith('\r\n', after.lineBreak) ? 2 : 1) : after.lineEnd;
    if (!ownLine) while (to < text.length && (text[to] === ' ' || text[to] === '\t')) to++;
    return [{ offset: from, length: to - from, content: '' }];
  }
  // The last of several, without a trailing comma: take the comma before it, and its line from the preceding line break.
  const previous = props[index - 1]!;
  const comma = commaAfter(text, previous.offset + previous.length)!;
  const from = ownLine ? lineStart(text, property.offset) - (text[lineStart(text, property.offset) - 2] === '\r' ? 2 : 1) : property.offset;
  const to = after.lineEnd;
  if (comma >= from) return [{ offset: comma, length: to - comma, content: '' }];
  return [
    { offset: comma, length: 1, content: '' },
    { offset: from, length: to - from, content: '' },
  ];
}

/** Root must be an object, and the container at `parentKey` (when present) too. */
function container(tree: Node | undefined, parentKey: string): Node | undefined {
  return tree ? jsonc().findNodeAtLocation(tree, [parentKey]) : undefined;
}

/**
 * The text with `value` set at `root[parentKey][key]` (`undefined` removes it). The caller has
 * checked that the text parses, its root is an object and `root[parentKey]`, if present, is one.
 */
export function editProperty(text: string, flavor: JsonFlavor, parentKey: string, key: string, value: unknown): string {
  const style = styleOf(text);
  const parsed = parseJson(text, flavor);
  if (!parsed.tree) {
    if (value === undefined) return text;
    return `${JSON.stringify({ [parentKey]: { [key]: value } }, null, 2)}\n`;
  }
  const object = container(parsed.tree, parentKey);
  let edits: Edit[];
  if (!object) {
    edits = value === undefined ? [] : insertEdits(text, parsed.tree, parentKey, { [key]: value }, style);
  } else {
    const property = object.children?.find((p) => p.children?.[0]?.value === key);
    if (value === undefined) edits = property ? removeEdits(text, object, property) : [];
    else edits = property ? replaceEdits(text, property, value, style) : insertEdits(text, object, key, value, style);
  }
  const result = jsonc().applyEdits(text, edits);
  verifyEdit(parsed.value as Record<string, unknown>, result, flavor, parentKey, key, value);
  return result;
}

/** Thrown when an edit would not produce exactly the intended document; nothing is written. */
export class JsonEditError extends Error {
  override name = 'JsonEditError';
}

/** The edited text must parse without errors to the old document with only that one property changed. */
function verifyEdit(before: Record<string, unknown>, text: string, flavor: JsonFlavor, parentKey: string, key: string, value: unknown): void {
  const after = parseJson(text, flavor);
  if (after.errors.length > 0) throw new JsonEditError(`the edit would leave the file invalid (${after.errors[0]})`);
  // Plain objects on both sides: jsonc-parser builds prototype-less ones, and deep equality compares prototypes.
  const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null)) as unknown;
  const expected = plain(before) as Record<string, unknown>;
  const servers = { ...((expected[parentKey] as Record<string, unknown> | undefined) ?? {}) };
  if (value === undefined) delete servers[key];
  else servers[key] = JSON.parse(JSON.stringify(value)) as unknown;
  expected[parentKey] = servers;
  if (before[parentKey] === undefined && value === undefined) delete expected[parentKey];
  if (!isDeepStrictEqual(plain(after.value), expected)) throw new JsonEditError('the edit would change more than the one entry');
}
