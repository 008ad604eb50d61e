import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Test seam: runs after the temp file is durable and before it replaces the target. */
export interface AtomicWriteHooks {
  beforeRename?: (tempPath: string) => void;
}

/** Temp files are named `.<target>.tmp-<pid>-<random>` so crash leftovers can be recognised. */
function tempPrefix(target: string): string {
  return `.${basename(target)}.tmp-`;
}

/** True for a file name `writeFileAtomic` uses for its temp files. */
export function isAtomicTemp(name: string): boolean {
  return /^\..+\.tmp-\d+-[0-9a-f]{8}$/.test(name);
}

/**
 * Replaces `target` with `data` so that a reader (or a crash) sees either the old file or the
 * new one, never a mix: write a temp file in the same directory, fsync it, rename it over the
 * target, fsync the directory so the rename itself survives power loss.
 */
export function writeFileAtomic(target: string, data: string, mode = 0o600, hooks: AtomicWriteHooks = {}): void {
  const dir = dirname(target);
  const temp = join(dir, `${tempPrefix(target)}${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    hooks.beforeRename?.(temp);
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
