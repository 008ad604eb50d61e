import type * as Yaml from 'yaml';
import { lazyModule } from '../lazy-module.js';
import type { SkillIssue } from '../wire/skills.js';

const yaml = lazyModule<typeof Yaml>('yaml');

/** SKILL.md split into its front matter (parsed) and its Markdown body. */
export interface ParsedSkillMd {
  /** The front matter as a plain object; undefined when absent or unreadable (see `errors`). */
  data: Record<string, unknown> | undefined;
  /** Everything after the closing `---`. The whole text when there is no front matter. */
  body: string;
  /** 1-based line of SKILL.md on which the body starts (to report body problems by line). */
  bodyLine: number;
  /** Problems that prevent reading the front matter at all. */
  errors: SkillIssue[];
}

/** A line that opens or closes front matter: `---`, trailing spaces allowed. */
const FENCE = /^---[ \t]*$/;
/** YAML's own end-of-document marker also closes front matter. */
const END = /^(?:---|\.\.\.)[ \t]*$/;

/**
 * Splits SKILL.md into front matter and body and parses the front matter as YAML (1.2 core
 * schema, duplicate keys refused). Never throws: unreadable input becomes `errors`.
 */
export function parseSkillMd(text: string): ParsedSkillMd {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? '')) {
    return { data: undefined, body: text, bodyLine: 1, errors: [{ path: 'frontmatter', line: 1, message: 'SKILL.md must start with YAML front matter: a "---" line, the fields, then another "---" line' }] };
  }
  const close = lines.findIndex((line, i) => i > 0 && END.test(line));
  if (close < 0) {
    return { data: undefined, body: '', bodyLine: lines.length + 1, errors: [{ path: 'frontmatter', line: 1, message: 'the front matter opened on line 1 is never closed by a "---" line' }] };
  }
  const yamlText = lines.slice(1, close).join('\n');
  const body = lines.slice(close + 1).join('\n');
  const bodyLine = close + 2;
  const doc = yaml().parseDocument(yamlText, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => {
      // linePos counts from the first line of the YAML, which is line 2 of the file.
      const line = e.linePos?.[0]?.line;
      const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return { path: 'frontmatter', message: `invalid YAML: ${message}`, ...(line !== undefined && { line: line + 1 }) };
    });
    return { data: undefined, body, bodyLine, errors };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    return { data: undefined, body, bodyLine, errors: [{ path: 'frontmatter', message: `invalid YAML: ${(err as Error).message}` }] };
  }
  if (data === null || data === undefined) return { data: {}, body, bodyLine, errors: [] };
  if (typeof data !== 'object' || Array.isArray(data)) {
    return { data: undefined, body, bodyLine, errors: [{ path: 'frontmatter', line: 2, message: 'the front matter must be a YAML mapping of fields (name: …, description: …)' }] };
  }
  return { data: data as Record<string, unknown>, body, bodyLine, errors: [] };
}

/** The line (1-based, in SKILL.md) of a top-level front matter key, for pointing at it. */
export function fieldLine(text: string, key: string): number | undefined {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^["']?${escaped}["']?\\s*:`);
  for (let i = 1; i < lines.length && !END.test(lines[i]!); i++) {
    if (pattern.test(lines[i]!)) return i + 1;
  }
  return undefined;
}
