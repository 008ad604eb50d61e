// Core benchmarks: how long `atelier` takes from spawn to serving, and how fast the
// dashboard's combined status answers once it runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAtelier } from './atelier-process.mjs';
import { percentile, round } from './stats.mjs';

const START_RUNS = 10;
const STATUS_REQUESTS = 2000;
const STATUS_WARMUP = 200;



async function startToReady() {
  const cold = [];
  const warm = [];
  for (let i = 0; i < START_RUNS; i++) {
    const home = mkdtempSync(join(tmpdir(), 'atelier-bench-'));
    for (const sink of [cold, warm]) {
      const { origin, readyMs, stop } = await startAtelier(home);
      // Ready means answering, not just listening: time the first health request too.
      const t = process.hrtime.bigint();
      await fetch(`${origin}/api/health`);
      sink.push(readyMs + Number(process.hrtime.bigint() - t) / 1e6);
      await stop();
    }
    rmSync(home, { recursive: true, force: true });
  }
  return { cold, warm };
}

async function dashboardLatency() {
  const home = mkdtempSync(join(tmpdir(), 'atelier-bench-'));
  const { origin, token, stop } = await startAtelier(home);
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
  await stop();
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
