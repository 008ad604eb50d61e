import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import { METRICS_MIN_SAMPLE_INTERVAL_MS } from '../../server/src/limits.js';
import { MetricsSampler, parseMemAvailable, parseNetDev } from '../../server/src/system/metrics.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function twoSamples() {
  const sampler = new MetricsSampler();
  await pause(METRICS_MIN_SAMPLE_INTERVAL_MS + 50);
  const first = sampler.sample();
  await pause(METRICS_MIN_SAMPLE_INTERVAL_MS + 50);
  return { sampler, first, second: sampler.sample() };
}

/** Busy and total ticks per core from /proc/stat, counted as the sampler counts them (os.cpus(): user, nice, sys, irq; idle). */
function procStat(): { busy: number; total: number }[] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      const [user = 0, nice = 0, system = 0, idle = 0, , irq = 0] = line.trim().split(/\s+/).slice(1).map(Number);
      const busy = user + nice + system + irq;
      return { busy, total: busy + idle };
    });
}

/** A `kB` field of a /proc status-like file, in bytes. */
function procKb(path: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(path, 'utf8'));
  if (!match) throw new Error(`no ${field} in ${path}`);
  return Number(match[1]) * 1024;
}

const linux = process.platform === 'linux';

describe('system metrics', () => {
  it.runIf(linux)('reports CPU use as /proc/stat counts it over the same window, and sees a spinning child process', async () => {
    const spinner = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
    try {
      const sampler = new MetricsSampler(0);
      const before = procStat();
      sampler.sample();
      await pause(1500);
      const after = procStat();
      const m = sampler.sample();
      const share = (pick: (c: { busy: number; total: number }) => number, cores: { busy: number; total: number }[][]) => cores[1]!.reduce((n, c) => n + pick(c), 0) - cores[0]!.reduce((n, c) => n + pick(c), 0);
      const expected = (100 * share((c) => c.busy, [before, after])) / share((c) => c.total, [before, after]);
      expect(m.cpu.per_core).toHaveLength(os.cpus().length);
      expect(Math.abs(m.cpu.total - expected)).toBeLessThan(10);
      // One core of n kept busy by the child (others on this machine only add to it).
      expect(m.cpu.total).toBeGreaterThan((100 / os.cpus().length) * 0.6);
      // Per core, the same counts: their mean is the total (the child may move between cores, so no one core need be busy).
      expect(Math.abs(m.cpu.per_core.reduce((a, b) => a + b, 0) / m.cpu.per_core.length - m.cpu.total)).toBeLessThan(5);
      for (const p of [m.cpu.total, ...m.cpu.per_core]) expect(p).toBeLessThanOrEqual(100);
      expect(m.timestamp).toBeGreaterThan(Date.now() - 5000);
    } finally {
      spinner.kill('SIGKILL');
    }
  }, 20_000);

  it.runIf(linux)('reports memory used as MemTotal minus MemAvailable of /proc/meminfo', async () => {
    const { second } = await twoSamples();
    const available = procKb('/proc/meminfo', 'MemAvailable');
    const { total_bytes, used_bytes, available_bytes, percent } = second.memory;
    expect(total_bytes).toBe(os.totalmem());
    expect(used_bytes + available_bytes).toBe(total_bytes);
    // Read microseconds apart, on a machine where other work allocates: within 1% of the total (64 MB at least).
    expect(Math.abs(available_bytes - available)).toBeLessThan(Math.max(64 * 1024 * 1024, total_bytes * 0.01));
    expect(percent).toBeCloseTo((100 * used_bytes) / total_bytes, 0);
  });

  it.runIf(linux)("reports the server's resident memory as the kernel's VmRSS for its process", async () => {
    const server = await startTestServer();
    try {
      // The test server runs in this process, so its /proc entry is ours.
      const ballast = Buffer.alloc(64 * 1024 * 1024, 1); // touched pages: RSS grows by ~64 MB
      const m = await (await server.fetch('/api/system/metrics')).json();
      const vmRss = procKb(`/proc/${process.pid}/status`, 'VmRSS');
      expect(Math.abs(m.server.rss_bytes - vmRss)).toBeLessThan(Math.max(16 * 1024 * 1024, vmRss * 0.1));
      expect(m.server.rss_bytes).toBeGreaterThan(ballast.length);
    } finally {
      await server.close();
    }
  });

  it.runIf(linux)('reports network rates as /proc/net/dev counts them over the same window', async () => {
    const sampler = new MetricsSampler(0);
    const before = parseNetDev(readFileSync('/proc/net/dev', 'utf8'));
    const t0 = Date.now();
    sampler.sample();
    await pause(1000);
    const after = parseNetDev(readFileSync('/proc/net/dev', 'utf8'));
    const seconds = (Date.now() - t0) / 1000;
    const m = sampler.sample();
    const near = (actual: number | null, expected: number) => expect(Math.abs((actual ?? -1) - expected)).toBeLessThanOrEqual(Math.max(4096, expected * 0.2));
    near(m.network.rx_bytes_per_s, (after.rx - before.rx) / seconds);
    near(m.network.tx_bytes_per_s, (after.tx - before.tx) / seconds);
  });

  it('answers calls closer than the minimum interval with the cached sample', async () => {
    const { sampler, second } = await twoSamples();
    expect(sampler.sample()).toBe(second);
  });

  it('measures event-loop delay only while metrics are read: a stall before the first read, or once reads stopped, is not seen', async () => {
    const stall = async (ms: number): Promise<void> => {
      await pause(20);
      const end = Date.now() + ms;
      while (Date.now() < end); // blocks the loop, as a slow synchronous handler would
      await pause(20);
    };
    const watchMs = 300;
    const sampler = new MetricsSampler(0, watchMs);
    try {
      await stall(60);
      expect(sampler.sample().server.event_loop_delay_ms.max).toBe(0); // the monitor was off: nobody was reading
      await stall(60);
      expect(sampler.sample().server.event_loop_delay_ms.max).toBeGreaterThanOrEqual(40); // on since the read before
      await pause(watchMs + 200);
      await stall(60);
      expect(sampler.sample().server.event_loop_delay_ms.max).toBe(0); // it stopped once reads did
    } finally {
      sampler.close();
    }
  });

  it('sums /proc/net/dev over every interface but loopback', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo: 9999 10 0 0 0 0 0 0 9999 10 0 0 0 0 0 0',
      '  eth0: 1000 5 0 0 0 0 0 0 200 3 0 0 0 0 0 0',
      '  wlan0:500 5 0 0 0 0 0 0 50 3 0 0 0 0 0 0',
    ].join('\n');
    expect(parseNetDev(text)).toEqual({ rx: 1500, tx: 250 });
  });

  it('reads MemAvailable from /proc/meminfo in bytes', () => {
    expect(parseMemAvailable('MemTotal:       16000000 kB\nMemFree:  100 kB\nMemAvailable:    8000000 kB\n')).toBe(8_000_000 * 1024);
    expect(parseMemAvailable('MemTotal: 1 kB\n')).toBeNull();
  });
});
