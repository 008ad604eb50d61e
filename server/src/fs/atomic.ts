import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { isAlive } from '../process-alive.js';

/** Test seam: runs after the temp file is durable and before it replaces the target. */
export interface AtomicWriteHooks {
  beforeRename?: (tempPath: string) => void;
}

/** Temp files are named `.<target>.tmp-<pid>-<random>` so crash leftovers can be recognised. */
function tempPrefix(target: string): string {
  return `.${basename(target)}.tmp-`;
}

/**
 * True for a temp file of `writeFileAtomic` or `createFileAtomic` whose writer is gone: a crash
 * left it between write and rename (or link). Another live process's may be in use, between its
 * write and its link, and is left alone. One named with this process's pid is a leftover too:
 * this process writes synchronously, so none of its own is in flight while it asks, and a
 * container may give each start the same pid.
 */
export function isLeftoverTemp(name: string): boolean {
  const pid = Number(/^\..+\.tmp-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1]);
  return Number.isInteger(pid) && (pid === process.pid || !isAlive(pid));
}

/**
 * Replaces `target` with `data` so that a reader (or a crash) sees either the old file or the
 * new one, never a mix: write a temp file in the same directory, fsync it, rename it over the
 * target, fsync the directory so the rename itself survives power loss.
 */
export function writeFileAtomic(target: string, data: string, mode = 0o600, hooks: AtomicWriteHooks = {}): void {
  const temp = writeTemp(target, data, mode);
  try {
    hooks.beforeRename?.(temp);
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  fsyncDir(dirname(target));
}

/**
 * Creates `target` with `data`, failing with EEXIST when it exists, so that no reader ever
 * finds it empty or half written: the temp file is hard-linked to `target` (atomic, and
 * exclusive, unlike a rename). Opening `target` with O_EXCL and writing after would leave a
 * moment in which another process reads it empty. Not fsynced: for files that name a live
 * process (locks, runtime files), which mean nothing after a power loss.
 */
export function createFileAtomic(target: string, data: string, mode = 0o600): void {
  const temp = writeTemp(target, data, mode, false);
  try {
    linkSync(temp, target);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Writes `data` to a new temp file beside `target` (fsynced when `durable`); returns its path. */
function writeTemp(target: string, data: string, mode: number, durable = true): string {
  const temp = join(dirname(target), `${tempPrefix(target)}${process.pid}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, data);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
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
