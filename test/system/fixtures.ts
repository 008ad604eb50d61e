import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { parseToolCatalog, type ToolSpec } from '../../server/src/system/catalog.js';
import { tempDir } from '../helpers/temp.js';
import { eventually, isAlive } from '../helpers/process.js';

export { eventually, isAlive };

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

