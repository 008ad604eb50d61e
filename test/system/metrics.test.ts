import os from 'node:os';
import { describe, expect, it } from 'vitest';
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

describe('system metrics', () => {
  it('gives CPU percentages between 0 and 100, one per core', async () => {
    const { first, second } = await twoSamples();
    for (const m of [first, second]) {
      expect(m.cpu.per_core).toHaveLength(os.cpus().length);
      for (const p of [m.cpu.total, ...m.cpu.per_core]) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(100);
      }
    }
    expect(second.timestamp).toBeGreaterThan(first.timestamp);
  });

  it('gives memory figures that add up', async () => {
    const { second } = await twoSamples();
    const { total_bytes, used_bytes, available_bytes, percent } = second.memory;
    expect(total_bytes).toBe(os.totalmem());
    expect(used_bytes + available_bytes).toBe(total_bytes);
    expect(percent).toBeGreaterThan(0);
    expect(percent).toBeLessThanOrEqual(100);
  });

  it.runIf(process.platform === 'linux')('gives network rates on Linux', async () => {
    const { second } = await twoSamples();
    expect(second.network.rx_bytes_per_s).toBeGreaterThanOrEqual(0);
    expect(second.network.tx_bytes_per_s).toBeGreaterThanOrEqual(0);
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
