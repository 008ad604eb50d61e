import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnLocal } from '../../server/src/terminal/local-process.js';
import { MirrorPool } from '../../server/src/terminal/mirror.js';
import { createLogger } from '../../server/src/logger.js';
import { FramePool } from '../../server/src/terminal/frame-pool.js';
import { FRAME_BUFFER_BYTES, TerminalSession } from '../../server/src/terminal/session.js';
import { scavenger, YoungGcPacer } from '../../server/src/terminal/young-gc.js';

/** The GC kinds the process ran while `work` ran, as perf_hooks reports them. */
async function gcKindsDuring(work: () => void): Promise<number[]> {
  const kinds: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind: number } })[]) kinds.push(entry.detail!.kind);
  });
  observer.observe({ entryTypes: ['gc'] });
  work();
  await new Promise((resolve) => setTimeout(resolve, 50)); // entries are delivered asynchronously
  observer.disconnect();
  return kinds;
}

describe('young-generation GC pacing', () => {
  it('collects once per everyBytes of output, counting across calls, and not before', () => {
    let runs = 0;
    const pacer = new YoungGcPacer(1000, () => runs++);
    pacer.passed(600);
    expect(runs).toBe(0);
    pacer.passed(400);
    expect(runs).toBe(1);
    pacer.passed(999);
    expect(runs).toBe(1);
    pacer.passed(5000);
    expect(runs).toBe(2);
  });

  it('scavenger() runs a real minor GC, not a full one, and leaves the global gc() as it was', async () => {
    const hadGlobalGc = 'gc' in globalThis;
    const scavenge = scavenger();
    const kinds = await gcKindsDuring(scavenge);
    expect(kinds).toContain(constants.NODE_PERFORMANCE_GC_MINOR);
    expect(kinds).not.toContain(constants.NODE_PERFORMANCE_GC_MAJOR);
    expect('gc' in globalThis).toBe(hadGlobalGc);
  });

  describe('in a session', () => {
    let mirror: MirrorPool | undefined;
    afterEach(async () => mirror?.close());

    it('counts every byte of a real PTY flood, so a scavenge runs per 1 MB of it', async () => {
      mirror = new MirrorPool(process.cwd(), createLogger({ level: 'silent' }));
      let runs = 0;
      const pacer = new YoungGcPacer(1024 * 1024, () => runs++);
      // The shell stays alive after the flood: bytes still unread when a PTY's process exits can be lost.
      const proc = spawnLocal({ file: '/bin/sh', args: ['-c', 'head -c 3000000 /dev/zero | tr "\\0" a; sleep 30'], cwd: tmpdir(), cols: 80, rows: 24 });
      const session = new TerminalSession('local', proc, { cols: 80, rows: 24, scrollback: 100 }, { mirror, gc: pacer, frames: new FramePool(FRAME_BUFFER_BYTES, 4) });
      let received = 0;
      let done = (): void => undefined;
      const all = new Promise<void>((resolve) => (done = resolve));
      const viewer = {
        output: (chunk: Buffer) => {
          received += chunk.length;
          session.ack(viewer, chunk.length); // a reader that keeps up, so flow control never pauses the flood
          if (received >= 3_000_000) done();
        },
        control: () => undefined,
      };
      session.addFreshViewer(viewer);
      await all;
      session.dispose();
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(runs).toBe(Math.floor(received / (1024 * 1024)));
    });
  });
});
