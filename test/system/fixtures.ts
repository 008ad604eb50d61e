import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { parseToolCatalog, type ToolSpec } from '../../server/src/system/catalog.js';
import { tempDir } from '../helpers/temp.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** A temporary directory removed after the current test. */
export function scratchDir(): string {
  const t = tempDir('atelier-system-');
  cleanups.push(t.remove);
  return t.dir;
}

/** Writes an executable `/bin/sh` script named `name` into `dir`; returns its path. */
export function fakeTool(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Catalog entries for tools looked up by their own name, version read with `--version`. */
export function specs(...ids: string[]): ToolSpec[] {
  return parseToolCatalog(
    ids.map((id) => ({ id, name: id, category: 'test', bin: id, version_args: ['--version'], homepage: 'https://example.com' })),
    'test catalog',
  );
}

/** False once `pid` is gone or a zombie (a container's PID 1 may never reap reparented children). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `check` until it holds or `ms` pass. */
export async function eventually(check: () => boolean, ms = 2_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}
