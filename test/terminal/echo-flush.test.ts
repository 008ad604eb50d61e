// A keystroke's echo never waits for a coalescing window: bulk output is held up to 3 ms to make
// bigger frames, but the first small read after input goes out on the next turn, with the bulk
// it joined. Driven through a scripted process, so the order of reads is exact.
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FramePool } from '../../server/src/terminal/frame-pool.js';
import { MirrorPool } from '../../server/src/terminal/mirror.js';
import type { TerminalProcess } from '../../server/src/terminal/process.js';
import { TerminalSession } from '../../server/src/terminal/session.js';
import { YoungGcPacer } from '../../server/src/terminal/young-gc.js';

const mirror = new MirrorPool(process.cwd(), pino({ level: 'silent' }));
afterAll(() => mirror.close());

/** A process whose output the test emits by hand. */
function scripted(): { proc: TerminalProcess; emit: (text: string) => void } {
  let listener: (chunk: Buffer) => void = () => undefined;
  const proc: TerminalProcess = { title: 'scripted', onData: (l) => (listener = l), onExit: () => undefined, write: () => undefined, resize: () => undefined, pause: () => undefined, resume: () => undefined, kill: () => undefined };
  return { proc, emit: (text) => listener(Buffer.from(text)) };
}

function session() {
  const { proc, emit } = scripted();
  const frames: string[] = [];
  const s = new TerminalSession('local', proc, { cols: 80, rows: 24, scrollback: 10 }, { mirror, gc: new YoungGcPacer(1 << 30, () => undefined), frames: new FramePool(1 << 20, 2) });
  s.addFreshViewer({ output: (chunk, written) => (frames.push(chunk.toString()), written?.()), control: () => undefined });
  return { s, emit, frames };
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));
const bulk = 'b'.repeat(4096);

describe('the echo of a keystroke', () => {
  afterEach(() => vi.useRealTimers());

  it('leaves inside a coalescing window, on the next turn, with the bulk before it', async () => {
    const { s, emit, frames } = session();
    emit(bulk); // opens a 3 ms window
    s.write('x');
    emit('x');
    await nextTurn();
    expect(frames).toEqual([`${bulk}x`]);
    s.dispose();
  });

  it('without input, a small read joins the window and waits for it (bulk output stays in big frames)', async () => {
    // The window's timer is faked: on a slow machine 3 ms may pass before the next turn, and the
    // test is about order, not speed.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { s, emit, frames } = session();
    emit(bulk);
    emit('tail');
    await nextTurn();
    expect(frames).toEqual([]);
    vi.advanceTimersByTime(3);
    expect(frames).toEqual([`${bulk}tail`]);
    s.dispose();
  });

  it('a small read with nothing waiting goes out on the next turn', async () => {
    const { s, emit, frames } = session();
    emit('$ ');
    await nextTurn();
    expect(frames).toEqual(['$ ']);
    s.dispose();
  });
});
