import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where Atelier keeps its state. */
export interface AtelierPaths {
  /** config.json and its generations. */
  configDir: string;
  /** The SQLite database and stored files (images, managed installs). */
  dataDir: string;
}

/**
 * ATELIER_HOME (or --home) puts everything in one folder; otherwise the platform's
 * config and data dirs (XDG on Linux, Application Support on macOS, APPDATA on Windows).
 */
export function resolvePaths(home: string | undefined, env: NodeJS.ProcessEnv = process.env): AtelierPaths {
  if (home) {
    const dir = resolve(home);
    return { configDir: dir, dataDir: dir };
  }
  const h = homedir();
  if (process.platform === 'win32') {
    const appData = env.APPDATA ?? join(h, 'AppData', 'Roaming');
    const local = env.LOCALAPPDATA ?? join(h, 'AppData', 'Local');
    return { configDir: join(appData, 'atelier'), dataDir: join(local, 'atelier') };
  }
  if (process.platform === 'darwin') {
    const dir = join(h, 'Library', 'Application Support', 'atelier');
    return { configDir: dir, dataDir: dir };
  }
  return {
    configDir: join(env.XDG_CONFIG_HOME || join(h, '.config'), 'atelier'),
    dataDir: join(env.XDG_DATA_HOME || join(h, '.local', 'share'), 'atelier'),
  };
}
