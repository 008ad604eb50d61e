import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { METRICS_LOOP_MONITOR_WATCH_MS, METRICS_MIN_SAMPLE_INTERVAL_MS } from '../limits.js';

/** Period of the event-loop delay monitor's timer. */
const LOOP_DELAY_RESOLUTION_MS = 10;
import type { SystemMetrics } from '../wire/system.js';

/** Cumulative counters at one instant; metrics are the differences between two of these. */
interface Counters {
  at: number;
  /** Per core, milliseconds spent busy and in total since boot. */
  cpus: { busy: number; total: number }[];
  /** Bytes since boot over non-loopback interfaces; null where the OS gives no cheap counter. */
  net: { rx: number; tx: number } | null;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Sums received and transmitted bytes of /proc/net/dev over every interface but loopback. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  // Two header lines, then "  eth0: <8 receive fields> <8 transmit fields>".
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() === 'lo') continue;
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    rx += fields[0] ?? 0;
    tx += fields[8] ?? 0;
  }
  return { rx, tx };
}

/** MemAvailable of /proc/meminfo in bytes: free plus what the kernel can reclaim (os.freemem() ignores the cache). */
export function parseMemAvailable(text: string): number | null {
  const match = /^MemAvailable:\s+(\d+)\s*kB/m.exec(text);
  return match ? Number(match[1]) * 1024 : null;
}

function readCounters(): Counters {
  const cpus = os.cpus().map(({ times }) => {
    const busy = times.user + times.nice + times.sys + times.irq;
    return { busy, total: busy + times.idle };
  });
  const netDev = process.platform === 'linux' ? readText('/proc/net/dev') : null;
  return { at: Date.now(), cpus, net: netDev === null ? null : parseNetDev(netDev) };
}

function percent(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.round(Math.min(100, Math.max(0, (part / whole) * 100)) * 10) / 10;
}

/** Bytes per second between two counter values; a counter that went back (interface reset) reads as 0. */
function rate(before: number, after: number, seconds: number): number {
  return seconds > 0 ? Math.max(0, Math.round((after - before) / seconds)) : 0;
}

function memory(): SystemMetrics['memory'] {
  const total = os.totalmem();
  const fromProc = process.platform === 'linux' ? readText('/proc/meminfo') : null;
  const available = Math.min(total, (fromProc === null ? null : parseMemAvailable(fromProc)) ?? os.freemem());
  return { total_bytes: total, used_bytes: total - available, available_bytes: available, percent: percent(total - available, total) };
}

/**
 * Live CPU, memory and network figures. CPU and network are rates, so each sample is compared
 * with the previous one; the first baseline is taken at construction. Cheap by design: two
 * small /proc reads and os.cpus(), no child process.
 */
export class MetricsSampler {
  readonly #minIntervalMs: number;
  readonly #watchMs: number;
  #previous: Counters;
  #cached: SystemMetrics | undefined;
  /**
   * Samples how late a timer of LOOP_DELAY_RESOLUTION_MS fires. The histogram records the whole
   * interval between firings (an idle loop reads ~10 ms at a 10 ms resolution), so the
   * resolution is subtracted to report the delay itself. It runs only while someone reads
   * metrics (see METRICS_LOOP_MONITOR_WATCH_MS): the first read after a quiet spell starts it and
   * reports no delay, later ones report the delay since the read before.
   */
  readonly #loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  /** Stops the monitor once reads stop; re-armed by each read. */
  #watchTimer: NodeJS.Timeout | undefined;

  constructor(minIntervalMs = METRICS_MIN_SAMPLE_INTERVAL_MS, watchMs = METRICS_LOOP_MONITOR_WATCH_MS) {
    this.#minIntervalMs = minIntervalMs;
    this.#watchMs = watchMs;
    this.#previous = readCounters();
  }

  /** Stops the event-loop monitor (at shutdown, and once reads stopped for the watch period). */
  close(): void {
    clearTimeout(this.#watchTimer);
    this.#watchTimer = undefined;
    this.#loopDelay.disable();
  }

  /** A read: keeps the loop-delay monitor running for another watch period, starting it if it was off. */
  #watch(): void {
    if (this.#watchTimer) {
      this.#watchTimer.refresh();
      return;
    }
    this.#loopDelay.reset();
    this.#loopDelay.enable();
    this.#watchTimer = setTimeout(() => this.close(), this.#watchMs);
    this.#watchTimer.unref();
  }

  #server(): SystemMetrics['server'] {
    const ms = (ns: number): number => Math.max(0, Math.round((ns - LOOP_DELAY_RESOLUTION_MS * 1e6) / 1e4) / 100);
    const h = this.#loopDelay;
    const delay = h.count === 0 ? { p50: 0, p99: 0, max: 0 } : { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
    h.reset();
    const memory = process.memoryUsage();
    return { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed, external_bytes: memory.external, event_loop_delay_ms: delay };
  }

  /**
   * Figures since the previous sample. Calls closer than the minimum interval get the cached
   * answer: over a few milliseconds the CPU tick counters barely move and the percentages are noise.
   */
  sample(): SystemMetrics {
    this.#watch();
    if (this.#cached && Date.now() - this.#previous.at < this.#minIntervalMs) return this.#cached;
    const before = this.#previous;
    const now = readCounters();
    const perCore = now.cpus.map((c, i) => {
      const b = before.cpus[i] ?? { busy: 0, total: 0 };
      return percent(c.busy - b.busy, c.total - b.total);
    });
    const sum = (cs: Counters['cpus'], key: 'busy' | 'total'): number => cs.reduce((n, c) => n + c[key], 0);
    const seconds = (now.at - before.at) / 1000;
    const [l1 = 0, l5 = 0, l15 = 0] = os.loadavg();
    this.#previous = now;
    this.#cached = {
      timestamp: now.at,
      cpu: {
        total: percent(sum(now.cpus, 'busy') - sum(before.cpus, 'busy'), sum(now.cpus, 'total') - sum(before.cpus, 'total')),
        per_core: perCore,
        load_average: [l1, l5, l15],
      },
      memory: memory(),
      network: {
        rx_bytes_per_s: now.net && before.net ? rate(before.net.rx, now.net.rx, seconds) : null,
        tx_bytes_per_s: now.net && before.net ? rate(before.net.tx, now.net.tx, seconds) : null,
      },
      uptime_s: Math.round(os.uptime()),
      server: this.#server(),
    };
    return this.#cached;
  }
}
