import {
  SKILL_BODY_RECOMMENDED_MAX_LINES,
  SKILL_COMPATIBILITY_MAX,
  SKILL_DESCRIPTION_MAX,
  SKILL_FIELDS,
  SKILL_NAME_MAX,
  SKILL_SAMPLE_PROMPT_KEY,
  type SkillIssue,
  type SkillValidation,
} from '../wire/skills.js';
import type { SkillFolder } from './files.js';
import { fieldLine, parseSkillMd } from './frontmatter.js';
import { findReferences, resolveReference } from './references.js';

/** What the validator knows of the folder a SKILL.md lives in. */
export interface FolderContext {
  /** The folder name, which `name` must equal. */
  name: string;
  /** The folder's files; absent when only the name is known (references then go unchecked). */
  folder?: SkillFolder;
}

/** Words Claude refuses in a skill name (its skill upload rules). */
const RESERVED_NAME_WORDS = ['anthropic', 'claude'];
/** Something that looks like an XML/HTML tag; Claude refuses them in names and descriptions. */
const XML_TAG = /<\/?[A-Za-z][^>]*>/;

/** Collects issues; an issue on a front matter field points at that field's line unless told otherwise (`null`: no line). */
class Report {
  readonly errors: SkillIssue[] = [];
  readonly warnings: SkillIssue[] = [];
  constructor(private readonly text: string) {}
  error(path: string, message: string, line: number | null = this.lineOf(path)): void {
    this.errors.push(line === null ? { path, message } : { path, message, line });
  }
  warn(path: string, message: string, line: number | null = this.lineOf(path)): void {
    this.warnings.push(line === null ? { path, message } : { path, message, line });
  }
  private lineOf(path: string): number | null {
    return fieldLine(this.text, path.split('.')[0]!) ?? null;
  }
}

/** Length as a person counts characters (code points, so an emoji is one). */
const length = (s: string) => [...s].length;

function checkName(r: Report, value: unknown, context: FolderContext | undefined): void {
  if (value === undefined || value === null) return r.error('name', 'is required: the skill identifier, lowercase letters, digits and hyphens');
  if (typeof value !== 'string') return r.error('name', `must be a string, not ${typeof value}`);
  if (value.trim() === '') return r.error('name', 'must not be empty');
  if (length(value) > SKILL_NAME_MAX) r.error('name', `is ${length(value)} characters long; at most ${SKILL_NAME_MAX} are allowed`);
  if (/[A-Z]/.test(value)) r.error('name', `must be lowercase ("${value.toLowerCase()}")`);
  const bad = [...new Set(value.replace(/[A-Za-z0-9-]/g, ''))];
  if (bad.length) r.error('name', `may only contain a–z, 0–9 and "-"; found ${bad.map((c) => JSON.stringify(c)).join(', ')}`);
  if (value.startsWith('-') || value.endsWith('-')) r.error('name', 'must not start or end with a hyphen');
  if (value.includes('--')) r.error('name', 'must not contain consecutive hyphens ("--")');
  if (context && value !== context.name) r.error('name', `must equal the skill's folder name "${context.name}" (found "${value}")`);
  const reserved = RESERVED_NAME_WORDS.find((w) => value.toLowerCase().includes(w));
  if (reserved) r.warn('name', `contains "${reserved}", which Claude's skill upload (API, claude.ai) refuses in names`);
}

function checkDescription(r: Report, value: unknown): void {
  if (value === undefined || value === null) return r.error('description', 'is required: what the skill does and when to use it');
  if (typeof value !== 'string') return r.error('description', `must be a string, not ${typeof value}`);
  if (value.trim() === '') return r.error('description', 'must not be empty');
  if (length(value) > SKILL_DESCRIPTION_MAX) r.error('description', `is ${length(value)} characters long; at most ${SKILL_DESCRIPTION_MAX} are allowed`);
  if (XML_TAG.test(value)) r.warn('description', "contains an XML-like tag, which Claude's skill upload (API, claude.ai) refuses in descriptions");
}

function checkOptional(r: Report, data: Record<string, unknown>): void {
  if ('license' in data && (typeof data.license !== 'string' || data.license.trim() === '')) r.error('license', 'must be a non-empty string (an SPDX identifier or the name of a bundled license file)');
  if ('compatibility' in data) {
    const value = data.compatibility;
    if (typeof value !== 'string' || value.trim() === '') r.error('compatibility', 'must be a non-empty string (what the skill needs: tools, OS, network)');
    else if (length(value) > SKILL_COMPATIBILITY_MAX) r.error('compatibility', `is ${length(value)} characters long; at most ${SKILL_COMPATIBILITY_MAX} are allowed`);
  }
  if ('allowed-tools' in data && typeof data['allowed-tools'] !== 'string') {
    r.error('allowed-tools', `must be one string of space-separated tool names (e.g. "Bash(git:*) Read"), not ${Array.isArray(data['allowed-tools']) ? 'a list' : typeof data['allowed-tools']}`);
  }
  if ('metadata' in data) {
    const metadata = data.metadata;
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
      r.error('metadata', 'must be a mapping of string keys to string values');
    } else {
      for (const [key, value] of Object.entries(metadata)) {
        if (typeof value !== 'string') r.error(`metadata.${key}`, `must be a string, not ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value} (quote numbers and booleans: "1.0")`);
      }
    }
  }
  const metadata = data.metadata as Record<string, unknown> | undefined;
  if (typeof metadata !== 'object' || metadata === null || !(SKILL_SAMPLE_PROMPT_KEY in metadata)) {
    r.warn(`metadata.${SKILL_SAMPLE_PROMPT_KEY}`, 'is not set: the test action will send a generic prompt instead of a realistic request');
  }
  for (const key of Object.keys(data)) {
    if (!(SKILL_FIELDS as readonly string[]).includes(key)) {
      r.warn(key, `is not a field of the Agent Skills format (${SKILL_FIELDS.join(', ')}); agents may ignore it and the reference validator rejects it — put custom data under metadata`);
    }
  }
}

function checkBody(r: Report, body: string, bodyLine: number, context: FolderContext | undefined): void {
  if (body.trim() === '') r.warn('body', 'is empty: the skill gives the agent no instructions', null);
  const lines = body.split('\n').length;
  if (lines > SKILL_BODY_RECOMMENDED_MAX_LINES) r.warn('body', `has ${lines} lines; keep SKILL.md under ${SKILL_BODY_RECOMMENDED_MAX_LINES} and move detail into references/`, null);

  const folder = context?.folder;
  const files = new Set(folder?.files.map((f) => f.path));
  const dirs = new Set([...files].flatMap((p) => p.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const skipped = new Map(folder?.skipped.map((s) => [s.path, s.reason]));
  const seen = new Set<string>();
  let unchecked = 0;
  for (const ref of findReferences(body, bodyLine)) {
    if (seen.has(ref.target)) continue;
    seen.add(ref.target);
    const resolved = resolveReference(ref.target);
    if (!resolved.ok) {
      const why = resolved.problem === 'absolute' ? 'is an absolute path' : 'climbs out of the skill folder';
      r.error('body', `references ${ref.target}, which ${why}: a skill may only reference files inside its own folder, by relative path`, ref.line);
      continue;
    }
    if (resolved.path === '' || resolved.path === 'SKILL.md') continue;
    if (!folder) {
      unchecked += 1;
      continue;
    }
    if (files.has(resolved.path) || dirs.has(resolved.path)) continue;
    const reason = skipped.get(resolved.path);
    if (reason) r.error('body', `references ${ref.target}, which is a ${reason}; skills are deployed and exported without links, so it would be missing`, ref.line);
    else r.error('body', `references ${ref.target}, which does not exist in the skill folder`, ref.line);
  }
  if (unchecked > 0) r.warn('body', `${unchecked} referenced file${unchecked === 1 ? ' was' : 's were'} not checked: no skill folder to check against`, null);
  for (const s of folder?.skipped ?? []) r.warn(s.path, `is a ${s.reason}; it is left out of deployments and exports`, null);
  if (folder?.overflow) r.error('SKILL.md', `the skill folder is too large: ${folder.overflow}`, null);
}

/**
 * Checks SKILL.md against the Agent Skills format (agentskills.io) and, given its folder,
 * that every file the body references is there. Reports every problem, not the first.
 */
export function validateSkillMd(text: string, context?: FolderContext): SkillValidation {
  const r = new Report(text);
  const parsed = parseSkillMd(text);
  for (const e of parsed.errors) r.error(e.path, e.message, e.line ?? null);
  if (parsed.data) {
    checkName(r, parsed.data.name, context);
    checkDescription(r, parsed.data.description);
    checkOptional(r, parsed.data);
  }
  checkBody(r, parsed.body, parsed.bodyLine, context);
  return { valid: r.errors.length === 0, errors: r.errors, warnings: r.warnings };
}

/** The validation of a folder that has no SKILL.md. */
export function missingSkillMd(): SkillValidation {
  return { valid: false, errors: [{ path: 'SKILL.md', message: 'is missing: a skill folder needs a SKILL.md at its top level' }], warnings: [] };
}
