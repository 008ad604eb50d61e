/**
 * The runtime file: a running server's pid, port and sign-in URL, so there is one instance per
 * home and `atelier url | open | stop` can find it (as `jupyter server list` does).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createFileAtomic } from '../fs/atomic.js';
import { isAlive } from '../process-alive.js';
import { resolvePaths } from '../paths.js';

/** Its name in the config directory; 0600 because the URL carries the token. */
export const RUNTIME_FILE_NAME = 'runtime.json';

const RuntimeInfoSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().min(0).max(65535),
  /** Base URL, e.g. http://127.0.0.1:7878 */
  url: z.string().url(),
  /** The sign-in URL: `url` with `?token=`. */
  sign_in_url: z.string().url(),
  started_at: z.string(),
  version: z.string(),
});

/** What a running server records about itself. */
export type RuntimeInfo = z.infer<typeof RuntimeInfoSchema>;

/** A runtime file that is not one: reported with its path and never overwritten. */
export class RuntimeFileError extends Error {
  override name = 'RuntimeFileError';
}

/** The runtime file of the instance using `home` (undefined: the platform's directories). */
export function runtimeFilePath(home: string | undefined): string {
  return join(resolvePaths(home).configDir, RUNTIME_FILE_NAME);
}

/** The state of a home: nothing recorded, a record whose process is gone, or a live instance. */
export type RuntimeState = { state: 'none' } | { state: 'stale' | 'running'; info: RuntimeInfo };

/** Reads the runtime file; throws RuntimeFileError when it exists but is not a runtime file. */
export function readRuntime(file: string): RuntimeState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { state: 'none' };
    throw new RuntimeFileError(`cannot read the runtime file ${file}: ${(err as Error).message}`);
  }
  let info: RuntimeInfo;
  try {
    info = RuntimeInfoSchema.parse(JSON.parse(text));
  } catch {
    throw new RuntimeFileError(`${file} is not an Atelier runtime file; remove it if no Atelier runs with this home`);
  }
  return { state: isAlive(info.pid) ? 'running' : 'stale', info };
}

/**
 * Creates the runtime file, 0600, failing with EEXIST when one appeared since it was read:
 * two servers starting at once cannot both claim the home. It appears whole: a start waiting
 * beside this one never reads it half written.
 */
export function writeRuntime(file: string, info: RuntimeInfo): void {
  createFileAtomic(file, `${JSON.stringify(info, null, 2)}\n`);
}

/** Removes the runtime file when it still names `pid` (a newer instance's file is left alone). */
export function removeRuntime(file: string, pid: number): void {
  try {
    const current = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown };
    if (current.pid === pid) rmSync(file, { force: true });
  } catch {
    // gone or unreadable: nothing of ours to remove
  }
}

/** Removes a stale runtime file (its pid is dead). */
export function removeStale(file: string): void {
  rmSync(file, { force: true });
}

/**
 * Claims the right to start with this home until the runtime file is written: two starts at
 * once would otherwise both create the database and config. The lock holds the claimer's pid
 * from the moment it exists, so another start never takes it for a dead holder's. One left by
 * a dead process is taken over; two starts taking over the same dead lock at once can both
 * claim, which the database's migrations and the runtime file's exclusive creation keep safe.
 * Returns false while a live process holds it.
 */
export function claimStart(file: string): boolean {
  const lock = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      createFileAtomic(lock, String(process.pid));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number(readFileSyncOr(lock));
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) return false;
    rmSync(lock, { force: true });
  }
  return false;
}

/** Releases a start claim made by this process. */
export function releaseStart(file: string): void {
  const lock = `${file}.lock`;
  if (Number(readFileSyncOr(lock)) === process.pid) rmSync(lock, { force: true });
}

function readFileSyncOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
