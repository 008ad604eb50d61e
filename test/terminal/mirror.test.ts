import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MirrorPool } from '../../server/src/terminal/mirror.js';
import { createLogger } from '../../server/src/logger.js';

describe('screen mirror feeding', () => {
  let pool: MirrorPool;
  /** The size of each output post to the worker, in order (read when posted: the buffer is transferred). */
  let posted: number[];
  /** The text of each output post. */
  let postedText: string[];
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    posted = [];
    postedText = [];
    const post = Worker.prototype.postMessage;
    vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, msg: { op: string; data?: Uint8Array }, transfer) {
      if (msg.op === 'write') {
        posted.push(msg.data!.byteLength);
        postedText.push(Buffer.from(msg.data!).toString('latin1'));
      }
      post.call(this, msg, transfer);
    });
    pool = new MirrorPool(process.cwd(), createLogger({ level: 'silent' }));
    pool.create('s', { cols: 80, rows: 24, scrollback: 100 });
  });
  afterEach(async () => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    await pool.close();
  });

  /** One 25 ms interval of output at the given size. */
  function interval(bytes: number): void {
    if (bytes > 0) pool.write('s', Buffer.alloc(bytes, 0x61));
    vi.advanceTimersByTime(25);
  }

  it('posts a trickle of output on the next interval', () => {
    interval(100);
    expect(posted).toEqual([100]);
  });

  it('holds a flood through a brief stall and posts it once, after it has been calm for 200 ms', () => {
    for (let i = 0; i < 4; i++) interval(200_000);
    interval(0); // a stall of one interval mid-flood (the scheduler, steal, flow control)
    interval(1000);
    for (let i = 0; i < 4; i++) interval(200_000);
    expect(posted).toEqual([]);
    for (let i = 0; i < 7; i++) interval(0);
    expect(posted).toEqual([]);
    interval(0);
    expect(posted).toEqual([8 * 200_000 + 1000]);
  });

  it('holds a calm flood while small output goes on (echoes of typing), and posts it at the first silent interval', () => {
    for (let i = 0; i < 4; i++) interval(200_000);
    for (let i = 0; i < 20; i++) interval(1); // one echo per interval, calm for 500 ms
    expect(posted).toEqual([]);
    interval(0);
    expect(posted).toEqual([4 * 200_000 + 20]);
    interval(1);
    expect(posted).toEqual([4 * 200_000 + 20, 1]); // no flood any more: a trickle is posted at once
  });

  it('posts a calm flood after 2 s even if the output never pauses', () => {
    for (let i = 0; i < 4; i++) interval(200_000);
    for (let i = 0; i < 79; i++) interval(10);
    expect(posted).toEqual([]);
    interval(10);
    expect(posted).toEqual([4 * 200_000 + 80 * 10]);
  });

  /** `count` numbered lines of `width` characters each. */
  const lines = (from: number, count: number, width = 60): Buffer => Buffer.from(Array.from({ length: count }, (_, i) => `line ${from + i} ${'x'.repeat(width)}\n`).join(''));

  it('posts of a flood only the lines its scrollback and screen can show, starting at a line', () => {
    let next = 0;
    for (let i = 0; i < 40; i++) {
      pool.write('s', lines(next, 2500)); // ~170 KB per interval: a flood
      next += 2500;
      vi.advanceTimersByTime(25);
    }
    for (let i = 0; i < 8; i++) interval(0);
    expect(posted).toHaveLength(1);
    const text = postedText[0]!;
    const kept = text.split('\n').slice(0, -1);
    // scrollback + rows: the ended lines and the cursor's (empty) one fill both, with a line to spare
    expect(kept).toHaveLength(100 + 24);
    expect(kept[0]).toBe(`line ${next - 124} ${'x'.repeat(60)}`);
    expect(text.endsWith(`line ${next - 1} ${'x'.repeat(60)}\n`)).toBe(true);
  });

  it('posts only the newest 4 MB of a longer flood of long lines, starting at a line', () => {
    let next = 0;
    for (let i = 0; i < 40; i++) {
      pool.write('s', lines(next, 3, 64 * 1024)); // ~200 KB per interval, 64 lines in 4 MB
      next += 3;
      vi.advanceTimersByTime(25);
    }
    for (let i = 0; i < 8; i++) interval(0);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(posted[0]).toBeGreaterThan(4 * 1024 * 1024 - 70 * 1024);
    const text = postedText[0]!;
    expect(text).toMatch(/^line \d+ x+\n/);
    expect(text.endsWith(`line ${next - 1} ${'x'.repeat(64 * 1024)}\n`)).toBe(true);
  });

  it('posts a trickle of many lines whole: only a flood is cut to the scrollback', () => {
    interval(0);
    pool.write('s', lines(0, 500, 10)); // 10 KB in one interval: no flood
    vi.advanceTimersByTime(25);
    expect(postedText[0]!.split('\n').slice(0, -1)).toHaveLength(500);
  });

  it('posts what a flood holds at once when the screen is asked for', async () => {
    for (let i = 0; i < 3; i++) interval(200_000);
    const snapshot = pool.serialize('s');
    expect(posted).toEqual([3 * 200_000]);
    vi.useRealTimers();
    expect(await snapshot).toContain('aaaa');
  });
});
