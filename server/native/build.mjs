#!/usr/bin/env node
// npm's `install` step: builds Atelier's one native addon (this folder: malloc_trim) with the
// node-gyp npm ships. Atelier runs without it, keeping freed memory resident, so a machine with
// no compiler still installs: the failure is printed and the step succeeds. `npm test` checks the
// addon loads (test/memory/release.test.ts), so a broken build fails the tests, not the install.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));

/** npm passes its node-gyp to install scripts; run by hand, find the one beside npm. */
function nodeGyp() {
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  const npmCli = process.env.npm_execpath;
  const candidates = [
    npmCli && join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && existsSync(c));
}

/** Outside npm, a Node that carries its own headers (a distro's, under <prefix>/include/node) builds with them. */
function nodeDir() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

/** Built after its last edit? Node-API binaries hold across Node versions, so a reinstall keeps it. */
function upToDate() {
  const built = join(dir, 'build', 'Release', 'release_memory.node');
  if (!existsSync(built)) return false;
  const sources = ['release-memory.c', 'binding.gyp'].map((f) => statSync(join(dir, f)).mtimeMs);
  return statSync(built).mtimeMs > Math.max(...sources);
}

if (upToDate()) process.exit(0);
const gyp = nodeGyp();
const result = gyp
  ? spawnSync(process.execPath, [gyp, 'rebuild', '--release', ...nodeDir()], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] })
  : { status: 1, error: new Error('node-gyp not found') };
if (result.status !== 0) {
  console.warn(`\natelier: the native addon in server/native did not build (${result.error?.message ?? `node-gyp exited ${result.status}`}).`);
  console.warn('atelier: it gives freed memory back to the system; Atelier runs without it and keeps that memory.\n');
}
