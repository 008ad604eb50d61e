// Giving freed memory back (server/src/memory/release.ts) with the addon `npm install` built:
// a worker thread fills 64 MB of malloc'd Buffers and stops; glibc keeps that memory in the
// thread's arena until it is trimmed.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { releaseFreedMemory, releaseStatus } from '../../server/src/memory/release.js';

const MB = 1024 * 1024;
const rss = () => process.memoryUsage().rss;

/** A worker that allocates `mb` in 4 KB Buffers (each one malloc'd, below the mmap threshold), touches them and is then stopped. */
async function runAndStopWorker(mb: number): Promise<void> {
  const worker = new Worker(
    `const keep = [];
     for (let i = 0; i < ${(mb * MB) / 4096}; i++) keep.push(Buffer.allocUnsafeSlow(4096).fill(i & 255));
     require('node:worker_threads').parentPort.postMessage('filled');
     setInterval(() => {}, 1000);`,
    { eval: true },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  await worker.terminate();
}

describe('releasing freed memory', () => {
  it('is available on this machine (Linux, glibc): the addon built at install loads', () => {
    expect(process.platform).toBe('linux');
    expect(releaseStatus()).toEqual({ available: true });
  });

  it("gives back what a stopped thread's arena kept", async () => {
    await runAndStopWorker(64);
    const kept = rss();
    expect(releaseFreedMemory()).toBe(true);
    const after = rss();
    // Measured here: 116 -> 49 MB. Without the trim the 64 MB stays resident.
    expect((kept - after) / MB).toBeGreaterThan(40);
  });
});
