// The installed package: packed once and installed once per run (production install from the
// npm registry into a fresh prefix), then its cold start-to-ready next to the checkout's in the
// same run, idle memory after start, and the sizes a user downloads and keeps on disk.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diskBytes, installedSizes, installTarball, packTarball } from '../helpers/package-install.mjs';
import { startAtelier } from './atelier-process.mjs';
import { percentile, round } from './stats.mjs';

const START_RUNS = 7;
/** The target for the installed package's cold start (spawn → first /api/health answered). */
const START_TARGET_P50_MS = 500;
/** How long a started server idles before its RSS is read: the start-up tool scan is over by then. */
const IDLE_SETTLE_MS = 5_000;
/** The per-package table shows this many of the largest; the total counts all. */
const SIZES_SHOWN = 20;

const MB = 1024 * 1024;

/** Spawn → ready → first health answer, with a fresh home each time (a first run). */
async function coldStart(command) {
  const home = mkdtempSync(join(tmpdir(), 'atelier-bench-'));
  try {
    const { origin, readyMs, stop } = await startAtelier(home, { command });
    const t = process.hrtime.bigint();
    await fetch(`${origin}/api/health`);
    const ms = readyMs + Number(process.hrtime.bigint() - t) / 1e6;
    await stop();
    return ms;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Resident memory (VmRSS) of a server idle for IDLE_SETTLE_MS after it was ready, in MB. */
async function idleRssMb(command) {
  const home = mkdtempSync(join(tmpdir(), 'atelier-bench-'));
  try {
    const { child, origin, stop } = await startAtelier(home, { command });
    await fetch(`${origin}/api/health`);
    await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
    const kb = Number(readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)[1]);
    await stop();
    return round(kb / 1024, 1);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Packs, installs, and measures; prints the tables and answers the numbers. */
export async function benchInstall() {
  const scratch = mkdtempSync(join(tmpdir(), 'atelier-bench-install-'));
  try {
    const { tarball, packedBytes } = await packTarball(join(scratch, 'pack'));
    const { bin, packageDir } = await installTarball(tarball, join(scratch, 'prefix'));
    const sizes = installedSizes(packageDir);
    const modulesBytes = diskBytes(join(packageDir, 'node_modules'));

    const variants = {
      'installed (<prefix>/bin/atelier)': [bin],
      'checkout (node scripts/start.mjs)': [process.execPath, join(process.cwd(), 'scripts', 'start.mjs')],
      'checkout (node server/dist/main.js)': [process.execPath, join(process.cwd(), 'server', 'dist', 'main.js')],
    };
    const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    // Interleaved, so a noisy stretch of the machine falls on every variant alike.
    for (let i = 0; i < START_RUNS; i++) for (const [name, command] of Object.entries(variants)) samples[name].push(await coldStart(command));
    const start = Object.fromEntries(Object.entries(samples).map(([name, ms]) => [name, { p50: round(percentile(ms, 50)), max: round(Math.max(...ms)) }]));
    const rss = { installed: await idleRssMb(variants['installed (<prefix>/bin/atelier)']), checkout: await idleRssMb(variants['checkout (node server/dist/main.js)']) };

    const result = {
      packed_bytes: packedBytes,
      node_modules_bytes: modulesBytes,
      node_modules_packages: sizes.length,
      node_modules_by_package_bytes: Object.fromEntries(sizes.map((s) => [s.name, s.bytes])),
      cold_start_to_ready_ms: { ...start, runs: START_RUNS, target_p50_installed: START_TARGET_P50_MS },
      idle_rss_mb: { ...rss, settle_ms: IDLE_SETTLE_MS },
    };
    console.log(`install: packed ${round(packedBytes / MB)} MB; production node_modules ${round(modulesBytes / MB, 1)} MB in ${sizes.length} packages (largest ${SIZES_SHOWN}):`);
    console.table(Object.fromEntries(sizes.slice(0, SIZES_SHOWN).map((s) => [s.name, { MB: round(s.bytes / MB) }])));
    console.log(`install: cold start-to-ready, fresh home each run (spawn → first /api/health answered; target installed p50 ≤ ${START_TARGET_P50_MS} ms)`);
    console.table(start);
    console.log(`install: idle RSS ${IDLE_SETTLE_MS / 1000} s after ready`);
    console.table({ MB: rss });
    return result;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// `node test/bench/install.mjs` runs this benchmark alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { buildIfStale } = await import('../../scripts/build.mjs');
  buildIfStale();
  await benchInstall();
}
