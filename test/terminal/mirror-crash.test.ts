// The screen mirror runs in a worker thread. It starts with the first session, stops once none is
// left (then gives back what its thread freed), and when it crashes the server logs it, answers
// the snapshots it owed, starts a new one and keeps every session running.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { releaseFreedMemory } from '../../server/src/memory/release.js';
import { FramePool } from '../../server/src/terminal/frame-pool.js';
import { spawnLocal } from '../../server/src/terminal/local-process.js';
import { MirrorPool } from '../../server/src/terminal/mirror.js';
import { TerminalSession, type Viewer } from '../../server/src/terminal/session.js';
import { YoungGcPacer } from '../../server/src/terminal/young-gc.js';

// The real trim, counted: the stop must hand what the worker's thread freed back (test/memory shows the effect).
vi.mock('../../server/src/memory/release.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/src/memory/release.js')>();
  return { ...real, releaseFreedMemory: vi.fn(real.releaseFreedMemory) };
});

const FIXTURE = join(import.meta.dirname, 'fixtures', 'crashing-mirror-worker.mjs');

let pool: MirrorPool | undefined;
const sessions: TerminalSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) s.dispose();
  await pool?.close();
});

function logged(): { lines: Record<string, unknown>[]; log: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) }) };
}

/** A real shell in a PTY, mirrored by `mirror`, with one viewer collecting its output. */
function shell(mirror: MirrorPool): { session: TerminalSession; output: () => string } {
  let text = '';
  const viewer: Viewer = { output: (chunk, written) => ((text += chunk.toString()), written?.()), control: () => undefined };
  const session = new TerminalSession('local', spawnLocal({ file: '/bin/sh', args: [], cwd: '/tmp', cols: 80, rows: 24 }), { cols: 80, rows: 24, scrollback: 100 }, { mirror, gc: new YoungGcPacer(1 << 30, () => undefined), frames: new FramePool(1024, 1) });
  session.addFreshViewer(viewer);
  sessions.push(session);
  return { session, output: () => text };
}

/** Nice values of this process's threads (field 19 of /proc/self/task/<tid>/stat). */
function threadNices(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return []; // the thread ended
    }
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the mirror worker', () => {
  it('starts with the first session and stops once the last one is gone', async () => {
    pool = new MirrorPool(process.cwd(), logged().log, { idleStopMs: 100 });
    expect(pool.running).toBe(false);
    const { session, output } = shell(pool);
    expect(pool.running).toBe(true);
    session.write('echo up-$((1+1))\r');
    await until(() => output().includes('up-2'), 'the echo');
    expect(await pool.serialize(session.id)).toContain('up-2');
    // The worker gives way to the event loop and the shell: its thread runs at nice 19.
    expect(threadNices()).toContain(19);
    session.dispose();
    sessions.length = 0;
    expect(pool.running).toBe(true); // not at once: another terminal may open right away
    vi.mocked(releaseFreedMemory).mockClear();
    await until(() => !pool!.running, 'the idle worker to stop', 2_000);
    await until(() => vi.mocked(releaseFreedMemory).mock.calls.length === 1, 'its arena to be trimmed once the thread is gone', 2_000);
    const again = shell(pool);
    expect(pool.running).toBe(true);
    again.session.write('echo back-$((2+2))\r');
    await until(async () => (await pool!.serialize(again.session.id)).includes('back-4'), 'the new worker to mirror');
  });

  it('survives a crash: logged, the pending snapshot answered, sessions running, mirroring again after a restart', async () => {
    const { lines, log } = logged();
    pool = new MirrorPool(process.cwd(), log, { workerFile: FIXTURE });
    const { session, output } = shell(pool);
    session.write('echo before-$((3+3))\r');
    await until(() => output().includes('before-6'), 'the first echo');
    expect(await pool.serialize(session.id)).toContain('before-6');

    session.write('echo CRASH-THE-""MIRROR\r');
    await until(() => output().includes('CRASH-THE-MIRROR'), 'the crashing output');
    // The snapshot asked while the worker dies is answered (empty: its screen is gone), not left hanging.
    const snapshot = await pool.serialize(session.id);
    expect(snapshot).toBe('');
    await until(() => lines.some((l) => String(l.msg).includes('mirror worker crashed')), 'the crash in the log');
    expect(lines.find((l) => String(l.msg).includes('mirror worker crashed'))).toMatchObject({ level: 50, sessions: 1, err: { message: 'the mirror worker crashed on purpose' } });

    session.write('echo alive-$((4+4))\r');
    await until(() => output().includes('alive-8'), 'the session to go on after the crash');
    await until(() => pool!.running, 'the restart', 5_000);
    session.write('echo after-$((5+5))\r');
    await until(async () => (await pool!.serialize(session.id)).includes('after-10'), 'the restarted worker to mirror the session');
  });
});
