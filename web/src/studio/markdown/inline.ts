/**
 * Inline markdown: code spans, strong, emphasis, strikethrough, links, autolinks and line
 * breaks, parsed into plain objects (see markdown.ts for why never into HTML). Link targets
 * are kept only when http:, https: or mailto:; an image becomes a link to it.
 */

/** An inline run of a paragraph, heading, list item or table cell. */
export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong' | 'em' | 'del'; children: Inline[] }
  /** `href` is always http:, https: or mailto: (anything else stays text). */
  | { type: 'link'; href: string; children: Inline[] }
  | { type: 'break' };

/** Nesting deeper than this is shown as text: a hostile answer must not blow the stack. */
const MAX_INLINE_DEPTH = 12;
/** Longest link text looked for: an unmatched `[` must not make every later one scan the whole answer. */
const MAX_LINK_LABEL_CHARS = 2_000;

const PUNCTUATION = /[!-/:-@[-`{-~]/;
const URL_SCHEMES = /^(https?:|mailto:)/i;
const BARE_URL = /^https?:\/\/[^\s<>"'`]+/i;

/** The link target if it is one we let the browser follow, else null. */
export function safeHref(raw: string): string | null {
  const href = raw.trim().replace(/^<(.*)>$/, '$1');
  // Control characters and whitespace can hide a scheme ("java\nscript:"); refuse them outright.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(href)) return null;
  return URL_SCHEMES.test(href) ? href : null;
}

/** Trims the punctuation that usually ends a sentence rather than a URL. */
function trimUrl(url: string): string {
  let end = url.length;
  while (end > 0 && /[.,;:!?*_~'"]/.test(url[end - 1]!)) end--;
  let trimmed = url.slice(0, end);
  // A closing parenthesis belongs to the URL only if it opened one: "(see https://x.y/a)".
  while (trimmed.endsWith(')') && (trimmed.match(/\(/g)?.length ?? 0) < (trimmed.match(/\)/g)?.length ?? 0)) trimmed = trimmed.slice(0, -1);
  return trimmed;
}

/** Index of the closing backtick run of exactly `n` backticks at or after `from`, or -1. */
function findBackticks(text: string, from: number, n: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] !== '`') continue;
    let j = i;
    while (text[j] === '`') j++;
    if (j - i === n) return i;
    i = j - 1;
  }
  return -1;
}

/**
 * Index of the delimiter closing an emphasis opened just before `from`: not preceded by a
 * space, skipping code spans, escapes and (for one-character delimiters) doubled runs.
 */
function findCloser(text: string, from: number, delim: string): number {
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '`') {
      let n = 0;
      while (text[i + n] === '`') n++;
      const end = findBackticks(text, i + n, n);
      if (end >= 0) i = end + n - 1;
      continue;
    }
    if (!text.startsWith(delim, i)) continue;
    if (delim.length === 1 && text[i + 1] === delim) {
      i++;
      continue;
    }
    if (i > from && !/\s/.test(text[i - 1]!)) {
      // `_` closes only at a word's end: snake_case_names stay as they are.
      if (delim[0] === '_' && /\w/.test(text[i + delim.length] ?? '')) continue;
      return i;
    }
  }
  return -1;
}

/** Index of the `]` matching the `[` at `open`, or -1; a label longer than MAX_LINK_LABEL_CHARS is no label. */
function findBracket(text: string, open: number): number {
  let level = 0;
  const end = Math.min(text.length, open + MAX_LINK_LABEL_CHARS);
  for (let i = open; i < end; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '[') level++;
    else if (ch === ']' && --level === 0) return i;
  }
  return -1;
}

/** Reads `(url "title")` at `open`; answers the URL and the index after `)`, or null. */
function readTarget(text: string, open: number): { url: string; end: number } | null {
  if (text[open] !== '(') return null;
  let level = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '(') level++;
    else if (ch === ')' && --level === 0) {
      const inner = text.slice(open + 1, i).trim();
      const url = inner.replace(/\s+(?:"[^"]*"|'[^']*')$/, '');
      return { url, end: i + 1 };
    }
    else if (ch === '\n') return null;
  }
  return null;
}

/** A link's label with the links inside it reduced to their text: links must not nest (an `<a>` in an `<a>` is invalid HTML). */
function withoutLinks(nodes: Inline[]): Inline[] {
  return nodes.flatMap((n): Inline[] => (n.type === 'link' ? withoutLinks(n.children) : 'children' in n ? [{ ...n, children: withoutLinks(n.children) }] : [n]));
}

const EMPHASIS: { delim: string; type: 'strong' | 'em' | 'del' }[] = [
  { delim: '**', type: 'strong' },
  { delim: '__', type: 'strong' },
  { delim: '~~', type: 'del' },
  { delim: '*', type: 'em' },
  { delim: '_', type: 'em' },
];

/** Parses the inline content of one block. */
export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let buffer = '';
  const flush = (): void => {
    if (buffer) out.push({ type: 'text', text: buffer });
    buffer = '';
  };
  if (depth > MAX_INLINE_DEPTH) return [{ type: 'text', text }];
  // A delimiter with no closer after position p has none after any later position either:
  // remembering it keeps a run of unmatched `*` linear instead of quadratic.
  const noCloserFrom = new Map<string, number>();
  // Past the last `]` no `[` can open a link: skip the search instead of scanning to the end each time.
  const lastBracket = text.lastIndexOf(']');
  const closer = (from: number, delim: string): number => {
    const known = noCloserFrom.get(delim);
    if (known !== undefined && from >= known) return -1;
    const found = findCloser(text, from, delim);
    if (found < 0) noCloserFrom.set(delim, from);
    return found;
  };

  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;

    if (ch === '\\' && text[i + 1] === '\n') {
      flush();
      out.push({ type: 'break' });
      i += 2;
      continue;
    }
    if (ch === '\\' && i + 1 < text.length && PUNCTUATION.test(text[i + 1]!)) {
      buffer += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === '\n') {
      // Chat answers mean a newline as a line break (as GitHub comments do); trailing spaces are noise.
      buffer = buffer.replace(/[ \t]+$/, '');
      flush();
      out.push({ type: 'break' });
      i++;
      continue;
    }
    if (ch === '`') {
      let n = 0;
      while (text[i + n] === '`') n++;
      const end = findBackticks(text, i + n, n);
      if (end < 0) {
        buffer += '`'.repeat(n);
        i += n;
        continue;
      }
      flush();
      let code = text.slice(i + n, end).replace(/\n/g, ' ');
      if (code.length > 1 && code.startsWith(' ') && code.endsWith(' ') && code.trim()) code = code.slice(1, -1);
      out.push({ type: 'code', text: code });
      i = end + n;
      continue;
    }
    if (ch === '!' && text[i + 1] === '[' && i < lastBracket) {
      // An image becomes a link to it: nothing is fetched unless the user clicks.
      const close = findBracket(text, i + 1);
      const target = close > 0 ? readTarget(text, close + 1) : null;
      const href = target ? safeHref(target.url) : null;
      if (target) {
        flush();
        const alt = text.slice(i + 2, close);
        // An unsafe target leaves only the description.
        out.push(href ? { type: 'link', href, children: [{ type: 'text', text: `🖼 ${alt || href}` }] } : { type: 'text', text: alt });
        i = target.end;
        continue;
      }
    }
    if (ch === '[' && i < lastBracket) {
      const close = findBracket(text, i);
      const target = close > 0 ? readTarget(text, close + 1) : null;
      if (target) {
        const href = safeHref(target.url);
        const label = parseInline(text.slice(i + 1, close), depth + 1);
        flush();
        if (href) out.push({ type: 'link', href, children: withoutLinks(label) });
        else out.push(...label);
        i = target.end;
        continue;
      }
    }
    if (ch === '<') {
      const auto = /^<((?:https?|mailto):[^\s<>]+)>/i.exec(text.slice(i));
      if (auto) {
        flush();
        out.push({ type: 'link', href: auto[1]!, children: [{ type: 'text', text: auto[1]! }] });
        i += auto[0].length;
        continue;
      }
    }
    if ((ch === 'h' || ch === 'H') && /^https?:\/\//i.test(text.slice(i, i + 8)) && (i === 0 || !/\w/.test(text[i - 1]!))) {
      const match = BARE_URL.exec(text.slice(i));
      const url = match ? trimUrl(match[0]) : '';
      if (url.length > 'https://'.length) {
        flush();
        out.push({ type: 'link', href: url, children: [{ type: 'text', text: url }] });
        i += url.length;
        continue;
      }
    }
    if (ch === '*' || ch === '_' || ch === '~') {
      const triple = text.startsWith(ch.repeat(3), i) && ch !== '~';
      if (triple) {
        const end = closer(i + 3, ch.repeat(3));
        if (end > i + 3 && !/\s/.test(text[i + 3]!)) {
          flush();
          out.push({ type: 'strong', children: [{ type: 'em', children: parseInline(text.slice(i + 3, end), depth + 1) }] });
          i = end + 3;
          continue;
        }
      }
      const matched = EMPHASIS.find(({ delim }) => text.startsWith(delim, i));
      // `_` opens only at a word's start; every opener must be followed by a non-space.
      const opens = matched && !/\s/.test(text[i + matched.delim.length] ?? ' ') && !(ch === '_' && i > 0 && /\w/.test(text[i - 1]!));
      if (matched && opens) {
        const end = closer(i + matched.delim.length, matched.delim);
        if (end > i + matched.delim.length) {
          flush();
          out.push({ type: matched.type, children: parseInline(text.slice(i + matched.delim.length, end), depth + 1) });
          i = end + matched.delim.length;
          continue;
        }
      }
      // No closer: the run is literal text.
      let n = 0;
      while (text[i + n] === ch) n++;
      buffer += ch.repeat(n);
      i += n;
      continue;
    }
    buffer += ch;
    i++;
  }
  flush();
  return out;
}
