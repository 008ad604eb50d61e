import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { posix, resolve, win32 } from 'node:path';

/** What a PATH lookup reads from the environment; tests pass their own. */
export interface LookupEnv {
  PATH?: string | undefined;
  /** Windows only: the extensions that make a file runnable (".COM;.EXE;.BAT;.CMD"). */
  PATHEXT?: string | undefined;
}

const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';

/** The directories of PATH, in order; empty entries are dropped (they would mean "the server's cwd"). */
export function pathDirs(env: LookupEnv, platform: NodeJS.Platform = process.platform): string[] {
  // Windows keeps the variable as "Path"; callers pass process.env, whose keys are case-insensitive there.
  const raw = env.PATH ?? '';
  const delimiter = platform === 'win32' ? win32.delimiter : posix.delimiter;
  return raw
    .split(delimiter)
    .map((d) => (platform === 'win32' ? d.replace(/^"(.*)"$/, '$1') : d))
    .filter((d) => d !== '');
}

/** File names to try for `name`: itself on POSIX; with each PATHEXT extension on Windows. */
function candidates(name: string, env: LookupEnv, platform: NodeJS.Platform): string[] {
  if (platform !== 'win32') return [name];
  const exts = (env.PATHEXT || DEFAULT_PATHEXT).split(';').filter((e) => e !== '');
  const hasExt = exts.some((e) => name.toLowerCase().endsWith(e.toLowerCase()));
  return hasExt ? [name] : exts.map((e) => name + e.toLowerCase());
}

/** True for a regular file we may execute (a directory named like a tool is not one). */
export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds the first of `names` on PATH, preferring earlier names over earlier directories
 * (python3 anywhere beats python first on PATH). Returns the absolute path, or null.
 * `platform` selects the PATH and PATHEXT rules (tests exercise Windows' on Linux).
 */
export async function findExecutable(names: readonly string[], env: LookupEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<string | null> {
  const dirs = pathDirs(env, platform);
  for (const name of names) {
    for (const dir of dirs) {
      for (const file of candidates(name, env, platform)) {
        // resolve: a relative PATH entry still yields the absolute path the studio shows.
        const full = resolve(dir, file);
        if (await isExecutable(full)) return full;
      }
    }
  }
  return null;
}
