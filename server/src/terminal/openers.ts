import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import type { AppContext } from '../context.js';
import { AppError } from '../http/errors.js';
import type { TerminalInit } from '../wire/terminal.js';
import { spawnLocal } from './local-process.js';
import type { TerminalProcess } from './process.js';
import type { ProcessOpener } from './socket.js';
import { defaultShell, isAllowedShell } from './shells.js';
import { listWslDistros, wslSpawn } from './wsl.js';

function workingDir(cwd: string | undefined): string {
  if (cwd === undefined) return homedir();
  try {
    if (statSync(cwd).isDirectory()) return cwd;
  } catch {
    // reported below
  }
  throw new AppError(400, 'BAD_CWD', `Working directory ${cwd} does not exist or is not a directory`);
}

function openLocal(init: TerminalInit, ctx: AppContext): TerminalProcess {
  const configured = ctx.config.get().terminal.shell;
  if (init.shell !== undefined && !isAllowedShell(init.shell, configured)) {
    throw new AppError(400, 'UNKNOWN_SHELL', `${init.shell} is not a shell of this machine (see /etc/shells) nor the configured one`);
  }
  const file = init.shell ?? defaultShell(configured);
  return spawnLocal({ file, args: [], cwd: workingDir(init.cwd), cols: init.cols, rows: init.rows });
}

async function openWsl(init: TerminalInit): Promise<TerminalProcess> {
  if (process.platform !== 'win32') throw new AppError(400, 'WSL_UNAVAILABLE', 'WSL terminals exist only on Windows');
  if (!init.distro) throw new AppError(400, 'MISSING_DISTRO', 'A WSL terminal needs data.distro');
  const distros = await listWslDistros();
  if (!distros.includes(init.distro)) throw new AppError(404, 'UNKNOWN_DISTRO', `No WSL distribution named ${init.distro} (found: ${distros.join(', ') || 'none'})`);
  const { file, args } = wslSpawn(init.distro);
  return spawnLocal({ file, args, cwd: homedir(), cols: init.cols, rows: init.rows, title: init.distro });
}

/** Starts the process for an `init`, by kind. SSH sessions are opened by the function given. */
export function processOpener(ctx: AppContext, openSsh: (init: TerminalInit) => Promise<TerminalProcess>): ProcessOpener {
  return async (init) => {
    switch (init.kind) {
      case 'local':
        return openLocal(init, ctx);
      case 'wsl':
        return openWsl(init);
      case 'ssh':
        if (!init.connection) throw new AppError(400, 'MISSING_CONNECTION', 'An SSH terminal needs data.connection, the name of a saved connection');
        return openSsh(init);
    }
  };
}
