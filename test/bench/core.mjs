// Core benchmarks: how long `atelier` takes from spawn to serving, and how fast the
// dashboard's combined status answers once it runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, round } from './stats.mjs';

const MAIN = join(process.cwd(), 'server', 'dist', 'main.js');
const START_RUNS = 10;
const STATUS_REQUESTS = 2000;
const STATUS_WARMUP = 200;

/** Spawns the CLI and resolves when it has printed its URL (it is listening by then). */
function spawnAtelier(home) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [MAIN, '--port', '0', '--no-open', '--home', home], {
    env: { ...process.env, ATELIER_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (chunk) => (err += chunk));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/(http:\/\/\S+)\/\?token=(\S+)/);
      if (m) resolve({ child, origin: m[1], token: decodeURIComponent(m[2]), readyMs: Number(process.hrtime.bigint() - started) / 1e6 });
    });
    child.on('exit', (code) => reject(new Error(`atelier exited with ${code} before it was ready: ${err}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function startToReady() {
  const cold = [];
  const warm = [];
  for (let i = 0; i < START_RUNS; i++) {
    const home = mkdtempSync(join(tmpdir(), 'atelier-bench-'));
    for (const sink of [cold, warm]) {
      const { child, origin, readyMs } = await spawnAtelier(home);
      // Ready means answering, not just listening: time the first health request too.
      const t = process.hrtime.bigint();
      await fetch(`${origin}/api/health`);
      sink.push(readyMs + Number(process.hrtime.bigint() - t) / 1e6);
      await stop(child);
    }
    rmSync(home, { recursive: true, force: true });
  }
  return { cold, warm };
}

async function dashboardLatency() {
  const home = mkdtempSync(join(tmpdir(), 'atelier-bench-'));
  const { child, origin, token } = await spawnAtelier(home);
  const headers = { authorization: `Bearer ${token}` };
  // Let the start-up tool scan finish so it does not compete with the measured requests.
  await fetch(`${origin}/api/scan`, { headers });
  const samples = [];
  for (let i = 0; i < STATUS_WARMUP + STATUS_REQUESTS; i++) {
    const t = process.hrtime.bigint();
    const res = await fetch(`${origin}/api/dashboard/status`, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`dashboard status answered ${res.status}`);
    if (i >= STATUS_WARMUP) samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  await stop(child);
  rmSync(home, { recursive: true, force: true });
  return samples;
}

/** Runs the core benchmarks and prints them. */
export async function benchCore() {
  const { cold, warm } = await startToReady();
  const status = await dashboardLatency();
  const result = {
    start_to_ready_ms: {
      first_run: { p50: round(percentile(cold, 50)), max: round(Math.max(...cold)) },
      existing_home: { p50: round(percentile(warm, 50)), max: round(Math.max(...warm)) },
      runs: START_RUNS,
    },
    dashboard_status_ms: {
      p50: round(percentile(status, 50), 3),
      p99: round(percentile(status, 99), 3),
      max: round(Math.max(...status), 3),
      requests: STATUS_REQUESTS,
    },
  };
  console.log('core: start-to-ready (spawn → first /api/health answered)');
  console.table({ 'first run (fresh home)': result.start_to_ready_ms.first_run, 'existing home': result.start_to_ready_ms.existing_home });
  console.log(`core: GET /api/dashboard/status over ${STATUS_REQUESTS} sequential keep-alive requests`);
  console.table({ ms: { p50: result.dashboard_status_ms.p50, p99: result.dashboard_status_ms.p99, max: result.dashboard_status_ms.max } });
  return result;
}
