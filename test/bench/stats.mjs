import { readdirSync, readFileSync } from 'node:fs';

/** Percentile (nearest rank) of an array of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Rounds for display. */
export function round(n, digits = 2) {
  return Number(n.toFixed(digits));
}

/** Cumulative CPU ticks of the whole machine, to report the hypervisor's steal over a stretch of a run. */
export function cpuTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { steal: fields[7] ?? 0, total: fields.reduce((a, b) => a + b, 0) };
}

/** The share of CPU time the hypervisor took between two `cpuTicks()` readings, in percent. */
export function stealPercent(before, after) {
  return round(((after.steal - before.steal) / Math.max(1, after.total - before.total)) * 100, 1);
}

/**
 * CPU time a process has run so far, all its threads (GC helpers and workers too), in ms, from
 * the scheduler's nanosecond counters. Steadier than MB/s on this noisy box: a peer's CPU cost
 * per MB barely moves when the hypervisor takes a core away.
 */
export function processCpuMs(pid) {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e6;
}
