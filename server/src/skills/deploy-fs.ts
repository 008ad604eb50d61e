import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * File operations inside a deployed skill folder that never follow a symbolic link placed
 * there: a user (or anything else) may have swapped a folder Atelier made for a link to
 * somewhere else, and writing or deleting through it would touch files Atelier never wrote.
 * The folders above the deployed one (~/.claude, ~/.claude/skills) may be links: that is the
 * user's own setup and is followed as the agent follows it.
 */

/** Thrown when a path inside the deployed folder is a link or not what Atelier made. */
export class NotOurs extends Error {
  constructor(readonly path: string) {
    super(`${path} is a symbolic link or not a regular folder`);
  }
}

/** Makes `base/rel` (a folder path) exist, each level a real folder; refuses links. */
export async function ensureRealDir(base: string, rel: string): Promise<void> {
  let current = base;
  for (const segment of rel.split('/').filter(Boolean)) {
    current = join(current, segment);
    const stat = await lstat(current).catch(() => null);
    if (!stat) await mkdir(current, { mode: 0o755 });
    else if (!stat.isDirectory()) throw new NotOurs(current);
  }
}

/** True when every folder between `base` and the file `rel` is a real folder (the file itself is not checked). */
export async function parentsAreReal(base: string, rel: string): Promise<boolean> {
  let current = base;
  for (const segment of rel.split('/').slice(0, -1)) {
    current = join(current, segment);
    const stat = await lstat(current).catch(() => null);
    if (!stat?.isDirectory()) return false;
  }
  return true;
}

/** Writes `data` to `base/rel` with `mode` through a temp file and a rename, so a link at that name is replaced, not followed. */
export async function writeFileInside(base: string, rel: string, data: Buffer, mode: number): Promise<void> {
  const parts = rel.split('/');
  const name = parts.pop()!;
  await ensureRealDir(base, parts.join('/'));
  const dir = join(base, ...parts);
  const temp = join(dir, `.${name}.atelier-${randomBytes(4).toString('hex')}`);
  await writeFile(temp, data, { flag: 'wx', mode });
  try {
    await chmod(temp, mode); // the umask applied to writeFile's mode; the exec bits must survive it
    await rename(temp, join(dir, name));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Every entry under `dir` that is not a folder (files, links, others), relative, without following links. */
export async function listNonDirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(rel ? join(dir, rel) : dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else out.push(path);
    }
  };
  await walk('');
  return out.sort();
}

/** Removes the empty real folders under `dir`, deepest first, then `dir` itself if empty; true when `dir` is gone. */
export async function removeEmptyDirs(dir: string): Promise<boolean> {
  const prune = async (path: string): Promise<boolean> => {
    const entries = await readdir(path, { withFileTypes: true }).catch(() => null);
    if (!entries) return false;
    let empty = true;
    for (const entry of entries) {
      if (entry.isDirectory() && (await prune(join(path, entry.name)))) continue;
      empty = false;
    }
    if (!empty) return false;
    return rmdir(path).then(
      () => true,
      () => false,
    );
  };
  return prune(dir);
}
