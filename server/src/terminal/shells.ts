import { accessSync, constants, existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';

/** A shell a local terminal can run. */
export interface ShellInfo {
  name: string;
  path: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Shells on this machine: /etc/shells and $SHELL on Unix; PowerShell and cmd on Windows. Deduplicated by real path. */
export function listShells(env: NodeJS.ProcessEnv = process.env, etcShells = '/etc/shells'): ShellInfo[] {
  if (process.platform === 'win32') {
    const root = env.SystemRoot ?? 'C:\\Windows';
    const candidates = [
      join(env.ProgramFiles ?? 'C:\\Program Files', 'PowerShell', '7', 'pwsh.exe'),
      join(root, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe'),
      env.COMSPEC ?? join(root, 'System32', 'cmd.exe'),
    ];
    return candidates.filter((p) => existsSync(p)).map((path) => ({ name: basename(path, '.exe'), path }));
  }
  const listed = existsSync(etcShells)
    ? readFileSync(etcShells, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.startsWith('/'))
    : [];
  const seen = new Set<string>();
  const shells: ShellInfo[] = [];
  for (const path of [env.SHELL, ...listed]) {
    if (!path || !executable(path)) continue;
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    shells.push({ name: basename(path), path });
  }
  return shells;
}

/** The shell a new local terminal runs: the configured one, else the login shell, else the first found. */
export function defaultShell(configured: string, env: NodeJS.ProcessEnv = process.env): string {
  if (configured) return configured;
  if (process.platform === 'win32') return listShells(env)[0]?.path ?? 'cmd.exe';
  return env.SHELL || listShells(env)[0]?.path || '/bin/sh';
}

/** True when `path` may be run as a local terminal: it is one of the machine's shells, or the configured one. */
export function isAllowedShell(path: string, configured: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return path === configured || listShells(env).some((s) => s.path === path);
}
