import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../http/errors.js';
import { SKILL_MD_MAX_BYTES } from '../limits.js';
import { SKILL_SAMPLE_PROMPT_KEY, type SkillSource, type SkillValidation } from '../wire/skills.js';
import { readSkillFolder, type SkillFolder } from './files.js';
import { parseSkillMd, type ParsedSkillMd } from './frontmatter.js';
import { missingSkillMd, validateSkillMd } from './validate.js';

/** Where a skill lives. */
export interface SkillLocation {
  /** The folder name. */
  name: string;
  source: SkillSource;
  dir: string;
}

/** A skill read from disk: its SKILL.md, its files and their validation. */
export interface LoadedSkill extends SkillLocation {
  text: string;
  parsed: ParsedSkillMd;
  folder: SkillFolder;
  validation: SkillValidation;
}

const isDir = async (path: string) => (await lstat(path).catch(() => null))?.isDirectory() ?? false;
const isFile = async (path: string) => (await lstat(path).catch(() => null))?.isFile() ?? false;

/**
 * The two places skills come from: built-in ones in the checkout (`<rootDir>/skills`) and
 * imported ones (`<dataDir>/skills`). A skill is a real folder (not a link) holding a
 * SKILL.md file. Names are looked up by listing, never by joining unchecked input: callers
 * pass names that SkillRefSchema has already confined to one path segment.
 */
export class SkillCatalog {
  constructor(
    readonly builtinRoot: string,
    readonly importedRoot: string,
  ) {}

  /** Every skill, built-in first, each group by name. */
  async list(): Promise<SkillLocation[]> {
    const out: SkillLocation[] = [];
    for (const [source, root] of [['builtin', this.builtinRoot], ['imported', this.importedRoot]] as const) {
      const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
      const names = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
      for (const name of names) {
        if (await isFile(join(root, name, 'SKILL.md'))) out.push({ name, source, dir: join(root, name) });
      }
    }
    return out;
  }

  /** The skill of that name (a built-in one wins over an imported one), or undefined. */
  async find(name: string): Promise<SkillLocation | undefined> {
    for (const [source, root] of [['builtin', this.builtinRoot], ['imported', this.importedRoot]] as const) {
      const dir = join(root, name);
      if ((await isDir(dir)) && (await isFile(join(dir, 'SKILL.md')))) return { name, source, dir };
    }
    return undefined;
  }

  /** The skill of that name, or 404 SKILL_NOT_FOUND. */
  async require(name: string): Promise<SkillLocation> {
    const found = await this.find(name);
    if (!found) throw new AppError(404, 'SKILL_NOT_FOUND', `No skill named "${name}" (built-in skills are in ${this.builtinRoot}, imported ones in ${this.importedRoot})`);
    return found;
  }
}

/** Reads SKILL.md (at most SKILL_MD_MAX_BYTES) and the folder, and validates them together. */
export async function loadSkill(location: SkillLocation): Promise<LoadedSkill> {
  const folder = await readSkillFolder(location.dir);
  const path = join(location.dir, 'SKILL.md');
  const stat = await lstat(path).catch(() => null);
  if (!stat?.isFile()) return { ...location, text: '', parsed: parseSkillMd(''), folder, validation: missingSkillMd() };
  if (stat.size > SKILL_MD_MAX_BYTES) {
    const validation: SkillValidation = { valid: false, errors: [{ path: 'SKILL.md', message: `is ${stat.size} bytes; at most ${SKILL_MD_MAX_BYTES} are read` }], warnings: [] };
    return { ...location, text: '', parsed: parseSkillMd(''), folder, validation };
  }
  const text = await readFile(path, 'utf8');
  return { ...location, text, parsed: parseSkillMd(text), folder, validation: validateSkillMd(text, { name: location.name, folder }) };
}

/** A string field of the front matter, or null. */
export function stringField(skill: LoadedSkill, key: string): string | null {
  const value = skill.parsed.data?.[key];
  return typeof value === 'string' ? value : null;
}

/** `metadata.atelier-sample-prompt`, when it is a non-empty string. */
export function samplePrompt(skill: LoadedSkill): string | null {
  const metadata = skill.parsed.data?.metadata;
  const value = metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>)[SKILL_SAMPLE_PROMPT_KEY] : undefined;
  return typeof value === 'string' && value.trim() ? value : null;
}
