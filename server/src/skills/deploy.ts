import { lstat, mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '../http/errors.js';
import type { SkillDeployResult, SkillDeployment, SkillTarget, SkillUndeployResult } from '../wire/skills.js';
import type { LoadedSkill } from './catalog.js';
import { listNonDirs, NotOurs, parentsAreReal, removeEmptyDirs, writeFileInside } from './deploy-fs.js';
import { normalizedMode, sha256, sha256OfFile } from './files.js';
import type { DeployedFile, DeploymentManifest, DeploymentRecord } from './manifest.js';
import type { Destination } from './targets.js';

/** A skill's files as they would be deployed: bytes, hash and the mode Atelier writes. */
interface SourceFile extends DeployedFile {
  data: Buffer;
}

async function readSources(skill: LoadedSkill): Promise<SourceFile[]> {
  return Promise.all(
    skill.folder.files.map(async (f) => {
      const data = await readFile(f.abs);
      return { path: f.path, sha256: sha256(data), mode: normalizedMode(f.mode), size: data.length, data };
    }),
  );
}

/** The hash and mode of each file of a skill as it would deploy now (to tell an outdated deployment). */
export async function sourceFingerprint(skill: LoadedSkill): Promise<Map<string, string>> {
  const sources = await readSources(skill);
  return new Map(sources.map((f) => [f.path, `${f.sha256}:${f.mode}`]));
}

/** The hash of the regular file at `base/rel`, null when missing, 'other' for a link, a folder or a file behind a link. */
async function currentHash(base: string, rel: string): Promise<string | null | 'other'> {
  if (!(await parentsAreReal(base, rel))) return (await lstat(join(base, rel)).catch(() => null)) ? 'other' : null;
  const stat = await lstat(join(base, rel)).catch(() => null);
  if (!stat) return null;
  if (!stat.isFile()) return 'other';
  return sha256OfFile(join(base, rel));
}

/** Compares a deployed folder with what Atelier wrote there, and with the skill as it is now. */
export async function deploymentStatus(record: DeploymentRecord, fingerprint: Map<string, string> | undefined): Promise<SkillDeployment> {
  const base = { target: record.target, path: record.path, project_dir: record.project_dir, deployed_at: record.deployed_at };
  const outdated = fingerprint !== undefined && (fingerprint.size !== record.files.length || record.files.some((f) => fingerprint.get(f.path) !== `${f.sha256}:${f.mode}`));
  const folder = await lstat(record.path).catch(() => null);
  if (!folder?.isDirectory()) return { ...base, state: 'removed', changed: [], missing: record.files.map((f) => f.path), outdated };
  const changed: string[] = [];
  const missing: string[] = [];
  for (const f of record.files) {
    const hash = await currentHash(record.path, f.path);
    if (hash === null) missing.push(f.path);
    else if (hash !== f.sha256) changed.push(f.path);
  }
  return { ...base, state: changed.length || missing.length ? 'modified' : 'intact', changed, missing, outdated };
}

/**
 * Copies a skill (regular files, exec bits kept) to `dest.path`. A folder that is there but
 * not in the manifest is the user's: 409 SKILL_EXISTS, nothing touched. Over Atelier's own
 * copy this is an update: files the user changed or added where the new version writes are
 * a 409 SKILL_DEPLOY_CONFLICT unless `overwrite`; files the new version dropped are removed
 * when unchanged and kept otherwise.
 */
export async function deploySkill(
  skill: LoadedSkill,
  target: SkillTarget,
  dest: Destination,
  manifest: DeploymentManifest,
  overwrite: boolean,
): Promise<SkillDeployResult> {
  const previous = manifest.at(dest.path);
  const stat = await lstat(dest.path).catch(() => null);
  if (stat && (!previous || !stat.isDirectory())) {
    const what = stat.isSymbolicLink() ? 'a symbolic link' : stat.isDirectory() ? 'a folder' : 'a file';
    throw new AppError(409, 'SKILL_EXISTS', `${dest.path} already exists (${what}) and was not deployed by Atelier; Atelier never replaces a skill it did not write. Rename or remove it, then deploy again.`);
  }
  const sources = await readSources(skill);
  const kept: string[] = [];
  const toRemove: string[] = [];

  if (stat && previous) {
    const before = new Map(previous.files.map((f) => [f.path, f.sha256]));
    const conflicts: { path: string; message: string }[] = [];
    for (const f of sources) {
      const now = await currentHash(dest.path, f.path);
      if (now === null || now === f.sha256 || now === before.get(f.path)) continue;
      if (now === 'other') conflicts.push({ path: f.path, message: 'is now a link or a folder, not the file Atelier wrote' });
      else conflicts.push({ path: f.path, message: before.has(f.path) ? 'was changed since Atelier deployed it' : 'was added by someone else' });
    }
    if (conflicts.length > 0 && !overwrite) {
      const list = conflicts.map((c) => `${c.path} ${c.message}`).join('; ');
      throw new AppError(409, 'SKILL_DEPLOY_CONFLICT', `Updating ${dest.path} would replace files that are not as Atelier left them: ${list}. Pass overwrite: true to replace them.`, { issues: conflicts });
    }
    const next = new Set(sources.map((f) => f.path));
    for (const old of previous.files.filter((f) => !next.has(f.path))) {
      if ((await currentHash(dest.path, old.path)) === old.sha256) toRemove.push(old.path);
      else if ((await lstat(join(dest.path, old.path)).catch(() => null)) !== null) kept.push(old.path);
    }
  }

  const created = !stat;
  let madeFolder = false;
  try {
    if (created) {
      await mkdir(dirname(dest.path), { recursive: true }).catch((err: NodeJS.ErrnoException) => {
        throw new AppError(409, 'SKILL_TARGET_UNUSABLE', `Cannot create the skills folder ${dirname(dest.path)}: ${err.code ?? err.message} (is a part of that path a file, or not writable?)`);
      });
      await mkdir(dest.path, { mode: 0o755 });
      madeFolder = true;
    }
    for (const f of sources) await writeFileInside(dest.path, f.path, f.data, f.mode);
    for (const path of toRemove) await unlink(join(dest.path, path));
    if (toRemove.length) await pruneEmptySubdirs(dest.path);
  } catch (err) {
    // A first deploy leaves nothing behind; a failed update keeps the old record, so files it already replaced read as changed (kept on undeploy).
    if (madeFolder) await rm(dest.path, { recursive: true, force: true });
    if (err instanceof NotOurs) throw new AppError(409, 'SKILL_DEPLOY_CONFLICT', `Cannot write inside ${dest.path}: ${err.message} (not something Atelier made)`);
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError(409, 'SKILL_EXISTS', `${dest.path} appeared while deploying; it was left alone`);
    throw err;
  }

  const record: DeploymentRecord = {
    name: skill.name,
    source: skill.source,
    target,
    project_dir: dest.projectDir,
    path: dest.path,
    deployed_at: new Date().toISOString(),
    files: sources.map(({ data: _data, ...f }) => f),
  };
  manifest.put(record);
  const fingerprint = new Map(sources.map((f) => [f.path, `${f.sha256}:${f.mode}`]));
  return { deployment: await deploymentStatus(record, fingerprint), updated: !created, removed: toRemove, kept };
}

/** Removes empty folders below `dir` (never `dir` itself). */
async function pruneEmptySubdirs(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeEmptyDirs(join(dir, entry.name));
  }
}

/**
 * Removes what Atelier deployed at `record.path` and nothing else: each file it wrote, if
 * still exactly as written; then the folders left empty. Changed and added files stay and are
 * reported. The record is dropped either way: whatever is left belongs to the user.
 */
export async function undeploySkill(record: DeploymentRecord, manifest: DeploymentManifest): Promise<SkillUndeployResult> {
  const result: SkillUndeployResult = { path: record.path, removed: [], kept: [], missing: [], folder_removed: false };
  const folder = await lstat(record.path).catch(() => null);
  if (!folder?.isDirectory()) {
    result.missing = record.files.map((f) => f.path);
    if (folder) result.kept.push({ path: '.', reason: 'modified' });
    manifest.remove(record.path);
    return result;
  }
  for (const f of record.files) {
    const hash = await currentHash(record.path, f.path);
    if (hash === null) result.missing.push(f.path);
    else if (hash === f.sha256) {
      await unlink(join(record.path, f.path));
      result.removed.push(f.path);
    } else result.kept.push({ path: f.path, reason: 'modified' });
  }
  const ours = new Set(record.files.map((f) => f.path));
  for (const path of await listNonDirs(record.path)) {
    if (!ours.has(path)) result.kept.push({ path, reason: 'added' });
  }
  result.folder_removed = await removeEmptyDirs(record.path);
  manifest.remove(record.path);
  return result;
}
