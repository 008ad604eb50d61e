/**
 * Files a SKILL.md body points at: Markdown links and images (`[text](references/x.md)`,
 * reference definitions `[id]: assets/y.png`) and bare mentions of the format's folders
 * (`sh scripts/check.sh`, `see references/patterns.md`). An agent follows these relative to
 * the skill folder, so each must exist inside it.
 */

/** One referenced path, as written, with where it was written. */
export interface BodyReference {
  /** The path as it appears (query, fragment and `<>` removed, percent-escapes decoded). */
  target: string;
  /** 1-based line of SKILL.md. */
  line: number;
  kind: 'link' | 'mention';
}

/** The folders the format names; a bare mention of a file under them is a reference. */
const BUNDLED_DIRS = ['scripts', 'references', 'assets'] as const;

const INLINE_LINK = /!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>\n]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*(<[^>\n]*>|\S+)/;
const MENTION = new RegExp(`(?<![\\w./~$-])((?:\\./)?(?:${BUNDLED_DIRS.join('|')})/[^\\s\`'"()<>\\[\\]{}|,;]+)`, 'g');
/** A URL with a scheme (https:, mailto:, file:, …) or protocol-relative: not a file of the skill. */
const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;
/** Characters that mark a placeholder or a pattern rather than a real path (`scripts/<name>.sh`, `assets/*.png`, `references/…`). */
const PLACEHOLDER = /[*?<>{}$…]|\.\.\.$/;

function cleanLinkTarget(raw: string): string | undefined {
  let target = raw.startsWith('<') ? raw.slice(1, -1) : raw;
  if (target === '' || target.startsWith('#') || URL_LIKE.test(target)) return undefined;
  target = target.replace(/[?#].*$/, '');
  try {
    target = decodeURIComponent(target);
  } catch {
    // a stray % is kept as written
  }
  return target || undefined;
}

function cleanMention(raw: string): string | undefined {
  const target = raw.replace(/[.:!?]+$/, '');
  if (target.endsWith('/') || PLACEHOLDER.test(target)) return undefined;
  return target;
}

/**
 * Every file reference of `body`, whose first line is line `firstLine` of SKILL.md. Links in
 * fenced code blocks are code, not links; mentions count everywhere (a `sh scripts/x.sh` in a
 * code block is exactly what the agent will run).
 */
export function findReferences(body: string, firstLine: number): BodyReference[] {
  const found: BodyReference[] = [];
  let fence: string | null = null;
  body.split('\n').forEach((text, i) => {
    const line = firstLine + i;
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    } else if (fence === null) {
      for (const m of text.matchAll(INLINE_LINK)) {
        const target = cleanLinkTarget(m[1]!);
        if (target) found.push({ target, line, kind: 'link' });
      }
      const definition = REFERENCE_DEFINITION.exec(text);
      const target = definition && cleanLinkTarget(definition[1]!);
      if (target) found.push({ target, line, kind: 'link' });
    }
    for (const m of text.matchAll(MENTION)) {
      const target = cleanMention(m[1]!);
      if (target && !found.some((f) => f.line === line && f.target === target)) found.push({ target, line, kind: 'mention' });
    }
  });
  return found;
}

/** Outcome of placing a reference inside the skill folder. */
export type ResolvedReference = { ok: true; path: string } | { ok: false; problem: 'absolute' | 'escapes' };

/**
 * Resolves a reference against the skill folder, lexically: `./a/../b` → `b`. Absolute paths
 * (`/x`, `~/x`, `C:\x`, `\\server\x`) and paths climbing above the folder are refused.
 */
export function resolveReference(target: string): ResolvedReference {
  const slashed = target.replace(/\\/g, '/');
  if (slashed.startsWith('/') || slashed.startsWith('~') || /^[a-zA-Z]:/.test(slashed)) return { ok: false, problem: 'absolute' };
  const parts: string[] = [];
  for (const segment of slashed.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (parts.length === 0) return { ok: false, problem: 'escapes' };
      parts.pop();
    } else {
      parts.push(segment);
    }
  }
  return { ok: true, path: parts.join('/') };
}
