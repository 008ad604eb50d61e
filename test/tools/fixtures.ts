import { chmodSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { ConfigStore } from '../../server/src/config/store.js';
import { Lifecycle } from '../../server/src/lifecycle.js';
import { createLogger } from '../../server/src/logger.js';
import { createToolbox, type Toolbox } from '../../server/src/tools/registry.js';
import { tempDir } from '../helpers/temp.js';
import { eventually, isAlive } from '../helpers/process.js';

export { eventually, isAlive };

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

/** A temporary directory (real path) removed after the current test. */
export function scratchDir(prefix = 'atelier-tools-'): string {
  const t = tempDir(prefix);
  cleanups.push(t.remove);
  return realpathSync(t.dir);
}

/** Writes an executable `/bin/sh` script named `name` into `dir`; returns its path. */
export function fakeExecutable(dir: string, name: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/**
 * A fake coding agent: records its argv (NUL-separated) and working directory in
 * `$FAKE_AGENT_DIR/<name>-<pid>.argv`, sleeps while its prompt contains "slow", then answers.
 */
export function fakeAgent(binDir: string, name: string): void {
  fakeExecutable(
    binDir,
    name,
    [
      `printf '%s\\0' "$PWD" "$@" > "$FAKE_AGENT_DIR/${name}-$$.argv"`,
      'for last; do :; done',
      'case "$last" in *slow*) sleep 30 ;; esac',
      `echo "${name} did: $last"`,
    ].join('\n'),
  );
}

/** What each fake agent run recorded: its cwd, then its arguments. */
export function agentRuns(dir: string, name: string, files: string[]): { cwd: string; argv: string[] }[] {
  return files
    .filter((f) => f.startsWith(`${name}-`) && f.endsWith('.argv'))
    .map((f) => {
      const [cwd, ...argv] = readFileSync(join(dir, f), 'utf8').split('\0').slice(0, -1);
      return { cwd: cwd!, argv };
    });
}

/**
 * A fake `sudo` that leaves `sudo-ran` in $SUDO_MARKER_DIR and runs its arguments: proof that
 * a command did (or did not) get past the guard, without real privileges.
 */
export function fakeSudo(binDir: string): void {
  fakeExecutable(binDir, 'sudo', 'touch "$SUDO_MARKER_DIR/sudo-ran"\nexec "$@"');
}

/** A toolbox over a temporary root (the "home directory"), with its own config and lifecycle. */
export function testToolbox(opts: { root: string; env?: NodeJS.ProcessEnv; sudoBypass?: boolean }): { toolbox: Toolbox; lifecycle: Lifecycle; config: ConfigStore } {
  const log = createLogger({ level: 'silent' });
  const config = ConfigStore.open(scratchDir('atelier-tools-config-'), log);
  if (opts.sudoBypass) config.update('test', (c) => ({ ...c, profile: { ...c.profile, sudo_bypass: true } }));
  const lifecycle = new Lifecycle();
  cleanups.push(() => lifecycle.close());
  const toolbox = createToolbox({ config, lifecycle, log, rootDir: repoRoot }, { root: () => opts.root, env: () => ({ ...process.env, ...opts.env }) });
  return { toolbox, lifecycle, config };
}


/** Reads a pid a command wrote to `file`, waiting for it to appear. */
export async function pidFrom(file: string): Promise<number> {
  let pid = NaN;
  await eventually(() => {
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0;
    } catch {
      return false;
    }
  }, 5_000);
  return pid;
}

