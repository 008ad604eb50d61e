import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { FramePool } from '../../server/src/terminal/frame-pool.js';
import { spawnLocal } from '../../server/src/terminal/local-process.js';
import { MirrorPool } from '../../server/src/terminal/mirror.js';
import { createLogger } from '../../server/src/logger.js';
import { FRAME_BUFFER_BYTES, TerminalSession, type Viewer } from '../../server/src/terminal/session.js';
import { YoungGcPacer } from '../../server/src/terminal/young-gc.js';

const chunks = (...texts: string[]): Buffer[] => texts.map((t) => Buffer.from(t));

describe('frame pool', () => {
  it('copies the chunks into one frame, in order', () => {
    const pool = new FramePool(64, 4);
    const frame = pool.frame(chunks('hello ', 'wor', 'ld'), 11);
    expect(frame.data.toString()).toBe('hello world');
  });

  it('takes a buffer back only when the last hold is released, and reuses it then', () => {
    const pool = new FramePool(64, 4);
    const first = pool.frame(chunks('aaaa', 'bbbb'), 8);
    const release = first.hold();
    const written = [first.hold(), first.hold()];
    release();
    written[0]!();
    written[0]!(); // a second call of the same callback does not count twice
    expect(pool.freeCount).toBe(0);
    written[1]!();
    expect(pool.freeCount).toBe(1);
    const second = pool.frame(chunks('cc', 'dd'), 4);
    expect(pool.freeCount).toBe(0);
    expect(second.data.buffer).toBe(first.data.buffer);
    expect(second.data.toString()).toBe('ccdd');
  });

  it('does not pool a single chunk (sent as it is) or a frame larger than its buffers', () => {
    const pool = new FramePool(8, 4);
    const single = pool.frame(chunks('just one'), 8);
    expect(single.data.toString()).toBe('just one');
    single.hold()();
    const big = pool.frame(chunks('0123456789', 'abc'), 13);
    expect(big.data.toString()).toBe('0123456789abc');
    big.hold()();
    expect(pool.freeCount).toBe(0);
  });

  it('keeps at most maxFree buffers', () => {
    const pool = new FramePool(16, 2);
    const frames = [1, 2, 3].map(() => pool.frame(chunks('x', 'y'), 2));
    for (const f of frames) f.hold()();
    expect(pool.freeCount).toBe(2);
  });

  describe('in a session', () => {
    let mirror: MirrorPool | undefined;
    afterEach(async () => mirror?.close());

    it('never reuses a buffer a slow viewer still holds: both viewers get every byte of a real PTY flood intact', async () => {
      mirror = new MirrorPool(process.cwd(), createLogger({ level: 'silent' }));
      const pool = new FramePool(FRAME_BUFFER_BYTES, 2);
      // Numbered lines, so any byte overwritten or lost shows.
      const proc = spawnLocal({ file: '/bin/sh', args: ['-c', 'seq 1 400000; sleep 30'], cwd: tmpdir(), cols: 80, rows: 24 });
      const session = new TerminalSession('local', proc, { cols: 80, rows: 24, scrollback: 100 }, { mirror, gc: new YoungGcPacer(Infinity, () => undefined), frames: pool });
      const expected = Array.from({ length: 400000 }, (_, i) => `${i + 1}\r\n`).join('');
      const fast: Buffer[] = [];
      // Frames whose memory is a pooled buffer's (only those are FRAME_BUFFER_BYTES long), and
      // how many of them came in memory an earlier frame had used.
      const pooledSeen = new Set<ArrayBufferLike>();
      let reused = 0;
      const slow: { data: Buffer; written?: () => void }[] = [];
      let slowCopies = '';
      let done = (): void => undefined;
      const all = new Promise<void>((resolve) => (done = resolve));
      let received = 0;
      const fastViewer: Viewer = {
        output: (chunk, written) => {
          if (chunk.buffer.byteLength === FRAME_BUFFER_BYTES) {
            if (pooledSeen.has(chunk.buffer)) reused++;
            pooledSeen.add(chunk.buffer);
          }
          fast.push(Buffer.from(chunk)); // copied at once, then released, as a socket that wrote it
          written?.();
          session.ack(fastViewer, chunk.length);
        },
        control: () => undefined,
      };
      const slowViewer: Viewer = {
        // Holds every frame un-copied until a few more arrived, as a socket with a backlog would.
        output: (chunk, written) => {
          slow.push({ data: chunk, written });
          session.ack(slowViewer, chunk.length);
          while (slow.length > 3) {
            const oldest = slow.shift()!;
            slowCopies += oldest.data.toString('latin1');
            oldest.written?.();
          }
          received += chunk.length;
          if (received >= expected.length) done();
        },
        control: () => undefined,
      };
      session.addFreshViewer(fastViewer);
      session.addFreshViewer(slowViewer);
      await all;
      session.dispose();
      for (const held of slow) {
        slowCopies += held.data.toString('latin1');
        held.written?.();
      }
      expect(Buffer.concat(fast).toString('latin1')).toBe(expected);
      expect(slowCopies).toBe(expected);
      // Buffers did come back and get reused while the slow viewer held others (the test can fail),
      // and the ones it held last come back once it has written them.
      expect(reused).toBeGreaterThan(0);
      expect(pool.freeCount).toBeGreaterThan(0);
    });
  });
});
