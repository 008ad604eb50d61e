// A closed terminal's memory comes back: once a session is closed (a studio tab sends `close`,
// then its socket goes) and its process has exited, nothing of Atelier's keeps the session, its
// PTY or its buffers alive. A real shell in a real PTY, and one over SSH to the test sshd; V8's
// own full collection decides.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../server/src/db/database.js';
import { FramePool } from '../../server/src/terminal/frame-pool.js';
import { spawnLocal } from '../../server/src/terminal/local-process.js';
import { SessionManager } from '../../server/src/terminal/manager.js';
import { MirrorPool } from '../../server/src/terminal/mirror.js';
import { SshConnectionStore, sshMigrations } from '../../server/src/terminal/ssh-connections.js';
import { workerKeyUnlocker } from '../../server/src/terminal/ssh-key.js';
import { openSshProcess, type SshDeps } from '../../server/src/terminal/ssh-process.js';
import type { TerminalProcess } from '../../server/src/terminal/process.js';
import type { TerminalSession, Viewer } from '../../server/src/terminal/session.js';
import { YoungGcPacer } from '../../server/src/terminal/young-gc.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const log = pino({ level: 'silent' });
const mirror = new MirrorPool(process.cwd(), log);
const dir = tempDir('atelier-release-');
let sshd: Sshd;
let ssh: SshDeps;
let db: ReturnType<typeof openDatabase> | undefined;
beforeAll(async () => {
  sshd = await startSshd();
  db = openDatabase(join(dir.dir, 'atelier.db'));
  migrate(db, sshMigrations);
  const keys = workerKeyUnlocker(process.cwd());
  ssh = { store: new SshConnectionStore(db, keys), keys, log };
  await ssh.store.save({ name: 'release', host: '127.0.0.1', port: sshd.port, username: sshd.user, auth: 'key', private_key: sshd.clientKey });
});
afterAll(async () => {
  await mirror.close();
  await sshd?.stop();
  db?.close();
  dir.remove();
});
/** The detach grace of the default settings: a leaked countdown would hold the session this long. */
const DETACH_GRACE_MS = 30 * 60 * 1000;
const frames = new FramePool(1 << 20, 2);
const manager = new SessionManager({ mirror, gc: new YoungGcPacer(1 << 30, () => undefined), frames }, { maxSessions: () => 50, detachGraceMs: () => DETACH_GRACE_MS }, log);

const until = async (done: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!done()) throw new Error(`timed out waiting for ${what}`);
};

const spawners = {
  local: async (): Promise<TerminalProcess> => spawnLocal({ file: '/bin/sh', args: [], cwd: process.cwd(), cols: 80, rows: 24 }),
  ssh: (): Promise<TerminalProcess> => openSshProcess({ kind: 'ssh', connection: 'release', cols: 80, rows: 24 }, ssh),
};

/** Opens a shell, waits for its prompt, then ends it as `how` says; returns a weak reference to the session. */
async function openAndEnd(kind: keyof typeof spawners, how: 'close, then detach' | 'exit, then detach' | 'detach, then close'): Promise<WeakRef<TerminalSession>> {
  const session = manager.add(kind, await spawners[kind](), { cols: 80, rows: 24, scrollback: 100 });
  let output = '';
  let exited = false;
  const viewer: Viewer = {
    output: (chunk, written) => ((output += chunk.toString()), written?.()),
    control: (m) => (exited ||= m.type === 'exit'),
  };
  session.addFreshViewer(viewer);
  session.write('echo ready-$((6*7))\r');
  await until(() => output.includes('ready-42'), 'the shell');
  if (how === 'close, then detach') {
    manager.close(session.id); // the `close` frame
    session.detach(viewer); // then the socket closes
  } else if (how === 'exit, then detach') {
    session.write('exit\r');
    await until(() => exited, 'the exit');
    session.detach(viewer);
    manager.close(session.id); // the kept exited session expires
  } else {
    session.detach(viewer); // the socket went first: the grace countdown starts
    manager.close(session.id); // the sessions list's close button
  }
  await until(() => session.exited, 'the process to end');
  return new WeakRef(session);
}

async function collected(ref: WeakRef<TerminalSession>): Promise<boolean> {
  // A WeakRef's target lives to the end of the job that made it, and node-pty lets its PTY go a
  // few turns after the exit: collect a few times, a turn apart.
  for (let i = 0; i < 20 && ref.deref(); i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
  return ref.deref() === undefined;
}

describe('a closed terminal session is released', () => {
  it('the frame buffers kept for reuse go when the last session closes, not before', async () => {
    const open = async () => manager.add('local', await spawners.local(), { cols: 80, rows: 24, scrollback: 100 });
    const [first, second] = [await open(), await open()];
    let output = '';
    first.addFreshViewer({ output: (chunk, written) => ((output += chunk.toString('latin1')), written?.()), control: () => undefined });
    // Bulk output: PTY reads batched into pooled frames, which come back to the pool once written.
    first.write('seq 1 200000; echo flood-$((6*7))\r');
    await until(() => output.includes('flood-42'), 'the flood');
    expect(frames.freeCount).toBeGreaterThan(0);
    manager.close(first.id);
    expect(frames.freeCount).toBeGreaterThan(0); // another session is open: they stay for it
    manager.close(second.id);
    expect(frames.freeCount).toBe(0);
  });

  for (const kind of ['local', 'ssh'] as const) {
    for (const how of ['close, then detach', 'exit, then detach', 'detach, then close'] as const) {
      it(`${kind}, ${how}: the session can be collected`, async () => {
        const ref = await openAndEnd(kind, how);
        expect(manager.get(ref.deref()!.id)).toBeUndefined();
        expect(await collected(ref)).toBe(true);
      });
    }
  }
});
