// The keystroke trace (ATELIER_TERMINAL_TRACE) times each keystroke's way through the server,
// for the benchmark: one JSON line per echoed keystroke, its steps in order.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { FramePool } from '../../server/src/terminal/frame-pool.js';
import { spawnLocal } from '../../server/src/terminal/local-process.js';
import { MirrorPool } from '../../server/src/terminal/mirror.js';
import { TerminalSession, type Viewer } from '../../server/src/terminal/session.js';
import { YoungGcPacer } from '../../server/src/terminal/young-gc.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const mirror = new MirrorPool(process.cwd(), pino({ level: 'silent' }));
afterAll(async () => {
  await mirror.close();
  dir.remove();
});

it('writes one line per keystroke whose echo came back, with steps in order, for two viewers', async () => {
  const traceFile = join(dir.dir, 'trace.jsonl');
  let seen = '';
  const viewer = (): Viewer => ({ output: (chunk, written) => ((seen += chunk.toString()), setImmediate(() => written?.())), control: () => undefined });
  const session = new TerminalSession('local', spawnLocal({ file: '/bin/cat', args: [], cwd: '/tmp', cols: 80, rows: 24 }), { cols: 80, rows: 24, scrollback: 10 }, { mirror, gc: new YoungGcPacer(1 << 30, () => undefined), frames: new FramePool(1024, 1), traceFile });
  session.addFreshViewer(viewer());
  session.addFreshViewer(viewer());
  const started = Date.now();
  for (const key of ['q', 'w', 'e']) {
    const before = seen.length;
    session.write(key, performance.now());
    const end = Date.now() + 5_000;
    while (!seen.slice(before).includes(key)) {
      if (Date.now() > end) throw new Error(`no echo of ${key}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 20)); // the socket write callback
  }
  expect(existsSync(traceFile)).toBe(false); // nothing is written while the typing goes on
  await new Promise((r) => setTimeout(r, 400)); // a pause: the lines are written
  const lines = readFileSync(traceFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(lines).toHaveLength(3);
  // arrival times on the wall clock, in typing order (to line a trace up with a client's log)
  expect(lines[0].at).toBeGreaterThanOrEqual(started - 1);
  expect(lines[2].at).toBeLessThanOrEqual(Date.now());
  expect(lines[1].at).toBeGreaterThan(lines[0].at);
  expect(lines[2].at).toBeGreaterThan(lines[1].at);
  for (const t of lines) {
    expect(t.written).toBeGreaterThanOrEqual(0);
    expect(t.read).toBeGreaterThanOrEqual(t.written);
    expect(t.flushed).toBeGreaterThanOrEqual(t.read);
    expect(t.sent).toBeGreaterThanOrEqual(t.flushed);
    expect(typeof t.coalesced).toBe('boolean');
  }
  const lineCount = (): number => readFileSync(traceFile, 'utf8').trim().split('\n').length;
  session.write('r', performance.now());
  await new Promise((r) => setTimeout(r, 400)); // the next pause: the same timer, re-armed, writes again
  expect(lineCount()).toBe(4);
  session.write('t', performance.now());
  await new Promise((r) => setTimeout(r, 50));
  session.dispose(); // writes what is left at once
  expect(lineCount()).toBe(5);
});
