/**
 * A small markdown parser for model answers: text in, a tree of plain objects out. The tree is
 * rendered by Svelte components as text nodes and elements, never as an HTML string, so
 * nothing a model writes can become markup: raw HTML shows as the text it is, links keep only
 * http(s) and mailto targets, and images become links (no request leaves without a click).
 *
 * This module reads blocks — fenced code, ATX headings, rules, block quotes, nested lists, GFM
 * tables, paragraphs — and hands their text to inline.ts. An unclosed fence (an answer still
 * streaming) is a code block running to the end.
 */

import { parseInline, type Inline } from './inline';

export type { Inline } from './inline';

/** Column alignment of a table. */
export type Align = 'left' | 'center' | 'right' | null;

/** A block of the document. */
export type Block =
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'heading'; level: number; children: Inline[] }
  /** `closed` is false while the closing fence has not arrived yet. */
  | { type: 'code'; lang: string; text: string; closed: boolean }
  | { type: 'quote'; children: Block[] }
  | { type: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { type: 'table'; align: Align[]; head: Inline[][]; rows: Inline[][][] }
  | { type: 'rule' };

/** Nesting deeper than this (quotes in lists in quotes…) is shown as text: a hostile answer must not blow the stack. */
const MAX_DEPTH = 12;

const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)/;
const TABLE_DELIMITER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const BLANK = /^[ \t]*$/;

/** Parses a whole document. */
export function parseMarkdown(source: string): Block[] {
  return parseBlocks(source.replace(/\r\n?/g, '\n').split('\n'), 0);
}

function indentOf(line: string): number {
  let n = 0;
  for (const ch of line) {
    if (ch === ' ') n += 1;
    else if (ch === '\t') n += 4 - (n % 4);
    else break;
  }
  return n;
}

/** Removes up to `n` columns of leading indentation. */
function dedent(line: string, n: number): string {
  let cols = 0;
  let i = 0;
  while (i < line.length && cols < n && (line[i] === ' ' || line[i] === '\t')) {
    cols += line[i] === '\t' ? 4 - (cols % 4) : 1;
    i++;
  }
  return line.slice(i);
}

function startsBlock(line: string, next: string | undefined): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || LIST_ITEM.test(line) || isTableStart(line, next);
}

function isTableStart(line: string, next: string | undefined): boolean {
  return line.includes('|') && next !== undefined && next.includes('-') && TABLE_DELIMITER.test(next);
}

function parseBlocks(lines: string[], depth: number): Block[] {
  if (depth > MAX_DEPTH) return [{ type: 'paragraph', children: [{ type: 'text', text: lines.join('\n') }] }];
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (BLANK.test(line)) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1]!;
      const body: string[] = [];
      let closed = false;
      const indent = indentOf(line);
      for (i++; i < lines.length; i++) {
        const l = lines[i]!;
        const trimmed = l.trim();
        if (trimmed.startsWith(marker) && trimmed.split('').every((c) => c === marker[0])) {
          closed = true;
          i++;
          break;
        }
        body.push(dedent(l, indent));
      }
      blocks.push({ type: 'code', lang: (fence[2] ?? '').toLowerCase(), text: body.join('\n'), closed });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading[1]!.length, children: parseInline(heading[2] ?? '') });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ type: 'rule' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const inner: string[] = [];
      while (i < lines.length && !BLANK.test(lines[i]!)) {
        const l = lines[i]!;
        // A line without ">" continues the quote's paragraph ("lazy" continuation).
        if (QUOTE.test(l)) inner.push(l.replace(QUOTE, ''));
        else if (inner.length > 0 && !startsBlock(l, lines[i + 1])) inner.push(l);
        else break;
        i++;
      }
      blocks.push({ type: 'quote', children: parseBlocks(inner, depth + 1) });
      continue;
    }
    if (LIST_ITEM.test(line)) {
      i = parseList(lines, i, blocks, depth);
      continue;
    }
    if (isTableStart(line, lines[i + 1])) {
      i = parseTable(lines, i, blocks);
      continue;
    }
    const para: string[] = [line];
    for (i++; i < lines.length && !BLANK.test(lines[i]!) && !startsBlock(lines[i]!, lines[i + 1]); i++) para.push(lines[i]!);
    blocks.push({ type: 'paragraph', children: parseInline(para.map((l) => l.trim()).join('\n')) });
  }
  return blocks;
}

/** Reads a list starting at `start`; answers the index of the first line after it. */
function parseList(lines: string[], start: number, out: Block[], depth: number): number {
  const first = LIST_ITEM.exec(lines[start]!)!;
  const ordered = /\d/.test(first[2]!);
  const markerIndent = first[1]!.length;
  const items: Block[][] = [];
  let i = start;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]!);
    if (!m || /\d/.test(m[2]!) !== ordered || indentOf(lines[i]!) > markerIndent + 1) break;
    const contentIndent = m[0].length;
    const body: string[] = [lines[i]!.slice(m[0].length)];
    let previousBlank = false;
    for (i++; i < lines.length; i++) {
      const l = lines[i]!;
      if (BLANK.test(l)) {
        body.push('');
        previousBlank = true;
        continue;
      }
      const indent = indentOf(l);
      // Deeper than this item's marker: part of the item (models nest with 2, 3 or 4 spaces).
      if (indent > markerIndent) {
        body.push(dedent(l, Math.min(indent, contentIndent)));
      } else if (!previousBlank && !startsBlock(l, lines[i + 1])) {
        body.push(l.trim());
      } else {
        break;
      }
      previousBlank = false;
    }
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    items.push(parseBlocks(body, depth + 1));
  }
  out.push({ type: 'list', ordered, start: ordered ? Number.parseInt(first[2]!, 10) : 1, items });
  return i;
}

/** Splits a table row on the pipes that are not escaped and not inside a code span. */
function splitRow(line: string): string[] {
  let text = line.trim();
  if (text.startsWith('|')) text = text.slice(1);
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1);
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && text[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (ch === '`') {
      inCode = !inCode;
      cell += ch;
    } else if (ch === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += ch;
    }
  }
  cells.push(cell.trim());
  return cells;
}

function parseTable(lines: string[], start: number, out: Block[]): number {
  const head = splitRow(lines[start]!);
  const align: Align[] = splitRow(lines[start + 1]!).map((d) => (d.startsWith(':') && d.endsWith(':') ? 'center' : d.endsWith(':') ? 'right' : d.startsWith(':') ? 'left' : null));
  const width = head.length;
  const rows: Inline[][][] = [];
  let i = start + 2;
  for (; i < lines.length && !BLANK.test(lines[i]!) && lines[i]!.includes('|'); i++) {
    const cells = splitRow(lines[i]!);
    rows.push(Array.from({ length: width }, (_, c) => parseInline(cells[c] ?? '')));
  }
  out.push({ type: 'table', align: Array.from({ length: width }, (_, c) => align[c] ?? null), head: head.map((h) => parseInline(h)), rows });
  return i;
}
