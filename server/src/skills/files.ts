import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SKILL_MAX_FILE_BYTES, SKILL_MAX_FILES, SKILL_MAX_TOTAL_BYTES } from '../limits.js';

/** One regular file of a skill folder. */
export interface SkillFile {
  /** Relative to the skill folder, `/`-separated. */
  path: string;
  abs: string;
  size: number;
  /** Permission bits (0o755 for a script, 0o644 for the rest, as found). */
  mode: number;
}

/** What a skill folder holds, as Atelier copies it: regular files only. */
export interface SkillFolder {
  dir: string;
  /** Sorted by path. */
  files: SkillFile[];
  /** Entries left out: symbolic links, devices, sockets (never deployed, exported or followed). */
  skipped: { path: string; reason: string }[];
  /** Set when the folder is over SKILL_MAX_FILES or the size caps; the listing then stops. */
  overflow?: string;
}

/** Names never copied: VCS metadata and the junk desktop archivers add. */
const IGNORED_NAMES = new Set(['.git', '.DS_Store', 'Thumbs.db', '__MACOSX']);

/**
 * Lists a skill folder without following symbolic links (a link could point anywhere on the
 * machine; deploying or exporting through it would copy what it points at).
 */
export async function readSkillFolder(dir: string): Promise<SkillFolder> {
  const folder: SkillFolder = { dir, files: [], skipped: [] };
  let total = 0;
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(rel ? join(dir, rel) : dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (folder.overflow) return;
      if (IGNORED_NAMES.has(entry.name)) continue;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile()) {
        const abs = join(dir, path);
        const stat = await lstat(abs);
        if (folder.files.length >= SKILL_MAX_FILES) folder.overflow = `more than ${SKILL_MAX_FILES} files`;
        else if (stat.size > SKILL_MAX_FILE_BYTES) folder.overflow = `${path} is ${stat.size} bytes, over the ${SKILL_MAX_FILE_BYTES}-byte limit for one file`;
        else if ((total += stat.size) > SKILL_MAX_TOTAL_BYTES) folder.overflow = `the files add up to more than ${SKILL_MAX_TOTAL_BYTES} bytes`;
        else folder.files.push({ path, abs, size: stat.size, mode: stat.mode & 0o777 });
      } else {
        folder.skipped.push({ path, reason: entry.isSymbolicLink() ? 'symbolic link' : 'not a regular file' });
      }
    }
  };
  await walk('');
  folder.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return folder;
}

/** Hex SHA-256 of some bytes. */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hex SHA-256 of a regular file, or null when it is missing or not a regular file (never follows a link). */
export async function sha256OfFile(path: string): Promise<string | null> {
  const stat = await lstat(path).catch(() => null);
  if (!stat?.isFile()) return null;
  return sha256(await readFile(path));
}

/** The permission bits Atelier writes: executable for anyone who may read when the source was executable by its owner. */
export function normalizedMode(mode: number): number {
  return mode & 0o100 ? 0o755 : 0o644;
}
