#!/usr/bin/env node
// `npm test`: install the system packages the tests need, build, type-check, then run every test
// (unit, integration against real parts, browser end-to-end). Extra args go to vitest.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(cmd, args) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('bash', [join(root, 'scripts', 'system-deps.sh')]);
buildIfStale();
// A whole run also type-checks server, tests and studio (a subset, with vitest args, does not).
if (process.argv.length <= 2) run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'check']);
run(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...process.argv.slice(2)]);
