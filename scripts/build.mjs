#!/usr/bin/env node
// Builds the server (tsc) and the studio (vite) when their outputs are missing or older than
// their sources, so `npm start` and `npm test` work on a fresh clone and stay fast after.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Newest modification time under `dir` (0 when missing), skipping build outputs and deps. */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  const stat = statSync(dir);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    max = Math.max(max, newest(join(dir, name)));
  }
  return max;
}

function stale(outputMarker, inputs) {
  const built = existsSync(outputMarker) ? statSync(outputMarker).mtimeMs : 0;
  return built === 0 || Math.max(...inputs.map((p) => newest(join(root, p)))) > built;
}

/**
 * Removes compiled files whose source is gone (tsc never deletes): a renamed module must not
 * linger in server/dist, where the package would ship it.
 */
function pruneOrphans(distDir, srcDir) {
  if (!existsSync(distDir)) return;
  for (const entry of readdirSync(distDir, { withFileTypes: true })) {
    const out = join(distDir, entry.name);
    if (entry.isDirectory()) {
      if (existsSync(join(srcDir, entry.name))) pruneOrphans(out, join(srcDir, entry.name));
      else rmSync(out, { recursive: true, force: true });
      continue;
    }
    const source = entry.name.replace(/\.js(\.map)?$/, '.ts');
    if (source !== entry.name && !existsSync(join(srcDir, source))) rmSync(out, { force: true });
  }
}

/** Builds what is stale; `force` rebuilds both. */
export function buildIfStale({ force = false } = {}) {
  const serverOut = join(root, 'server', 'dist', 'main.js');
  if (force || stale(serverOut, ['server/src', 'server/tsconfig.json', 'tsconfig.base.json'])) {
    process.stderr.write('atelier: building the server…\n');
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'server', 'tsconfig.json')], { stdio: 'inherit' });
    pruneOrphans(join(root, 'server', 'dist'), join(root, 'server', 'src'));
  }
  const webOut = join(root, 'web', 'dist', 'index.html');
  if (force || stale(webOut, ['web', 'server/src/wire', 'server/src/limits.ts'])) {
    process.stderr.write('atelier: building the studio…\n');
    execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(root, 'web', 'vite.config.ts'), '--logLevel', 'warn'], {
      stdio: 'inherit',
      cwd: root,
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) buildIfStale({ force: process.argv.includes('--force') });
