// The package as a user gets it: `npm pack` of the checkout (its prepack builds), then a
// production install of the tarball into an empty prefix, deps from the npm registry. The
// package test and the install benchmark share it.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The checkout's package.json. */
export const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The environment without npm's own `npm_*` variables, which a parent `npm run` sets and a child npm would read as config. */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
}

/** Runs npm without blocking the event loop (a pack and an install take minutes; a test runner must stay responsive). */
function npm(args, cwd) {
  return new Promise((resolve, reject) => {
    execFile(NPM, args, { cwd, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`npm ${args.join(' ')} failed (${err.code ?? err.signal}):\n${String(stderr).slice(-4000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Runs `npm pack` into `dir` (empty) and answers the tarball's path and packed size. */
export async function packTarball(dir) {
  mkdirSync(dir, { recursive: true });
  await npm(['pack', '--pack-destination', dir], ROOT);
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs in ${dir}`);
  const tarball = join(dir, tarballs[0]);
  return { tarball, packedBytes: statSync(tarball).size };
}

/** `npm install -g --prefix <prefix> <tarball>` (production: no devDependencies); answers where it landed. */
export async function installTarball(tarball, prefix) {
  mkdirSync(prefix, { recursive: true });
  await npm(['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], prefix);
  return { prefix, bin: join(prefix, 'bin', 'atelier'), packageDir: join(prefix, 'lib', 'node_modules', PACKAGE.name) };
}

/** Disk use of a directory in bytes (du, so hard links count once). */
export function diskBytes(dir) {
  const result = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`du ${dir} failed: ${result.stderr}`);
  return Number(result.stdout.split('\t')[0]) * 1024;
}

/** Every top-level package under `<packageDir>/node_modules` (scoped ones as `@scope/name`) with its disk use, largest first. */
export function installedSizes(packageDir) {
  const modules = join(packageDir, 'node_modules');
  const names = [];
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) for (const sub of readdirSync(join(modules, entry))) names.push(`${entry}/${sub}`);
    else names.push(entry);
  }
  return names.map((name) => ({ name, bytes: diskBytes(join(modules, name)) })).sort((a, b) => b.bytes - a.bytes);
}
