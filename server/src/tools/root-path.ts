import { lstat, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fsFailure, fsStep, ToolFailure } from './failure.js';

/**
 * Every path a tool call names is resolved here before use (SPEC §4): made absolute against
 * the call's directory, resolved through symlinks with realpath, and refused unless the real
 * path is inside the root — the user's home directory. A symlink inside home that points
 * outside it is outside. A path that does not exist yet (write_file) is checked through its
 * deepest existing ancestor.
 */
export interface ResolvedPath {
  /** The real, absolute path (for a new file: its real parent joined with the new names). */
  path: string;
  exists: boolean;
}

/** The real path of the root: symlinks in the home path itself (/home → /usr/home) are resolved once. */
export async function realRoot(root: string): Promise<string> {
  try {
    return await realpath(root);
  } catch (err) {
    throw fsFailure(err, root);
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function outside(input: string, real: string, root: string): ToolFailure {
  const shown = real === input ? input : `${input} (really ${real})`;
  return new ToolFailure('PATH_OUTSIDE_ROOT', `${shown} is outside ${root}: file tools only work inside the home directory`);
}

/** `~` and `~/x` mean the home directory, as in a shell; anything relative is taken from `base`. */
function absolute(input: string, base: string): string {
  if (input === '~' || input.startsWith('~/')) return join(homedir(), input.slice(1));
  return resolve(base, input);
}

/** Resolves `input` (relative to `base`) inside `root`, which must already be real. */
export async function resolveInRoot(root: string, input: string, base: string = root): Promise<ResolvedPath> {
  const abs = absolute(input, base);
  try {
    const real = await realpath(abs);
    if (!inside(root, real)) throw outside(input, real, root);
    return { path: real, exists: true };
  } catch (err) {
    if (err instanceof ToolFailure) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fsFailure(err, input);
  }
  // Not there (yet): find the deepest ancestor that is, and check that one.
  const missing: string[] = [];
  let current = abs;
  for (;;) {
    // A name that lstat finds but realpath cannot is a dangling symlink: writing through it could land anywhere.
    const stat = await lstat(current).catch(() => null);
    if (stat?.isSymbolicLink()) throw new ToolFailure('BROKEN_SYMLINK', `${current} is a symbolic link to a missing target; refusing to follow it`);
    const parent = dirname(current);
    missing.unshift(current.slice(parent.length).replace(/^[\\/]+/, ''));
    if (parent === current) throw fsFailure(Object.assign(new Error('no existing ancestor'), { code: 'ENOENT' }), input);
    current = parent;
    try {
      const real = await realpath(current);
      const path = join(real, ...missing);
      if (!inside(root, path)) throw outside(input, path, root);
      return { path, exists: false };
    } catch (err) {
      if (err instanceof ToolFailure) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fsFailure(err, input);
    }
  }
}

/** The directory a command or agent runs in: `input` (relative to `base`) or `base` itself, inside the root. */
export async function resolveWorkingDir(root: string, input: string | undefined, base: string): Promise<string> {
  const { path, exists } = await resolveInRoot(root, input ?? base, base);
  if (!exists) throw new ToolFailure('NOT_FOUND', `No such directory: ${input ?? base}`);
  const stat = await fsStep(lstat(path), path);
  if (!stat.isDirectory()) throw new ToolFailure('NOT_A_DIRECTORY', `${input ?? base} is not a directory`);
  return path;
}
