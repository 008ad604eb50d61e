import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TerminalClient } from '../helpers/terminal-client.js';
import { FLOW_CONTROL } from '../../server/src/wire/terminal.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const clients: TerminalClient[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

function client(opts: { autoAck?: boolean } = {}): TerminalClient {
  const c = new TerminalClient(server.port, server.token, opts);
  clients.push(c);
  return c;
}

async function sessions(): Promise<{ active: { id: string; paused: boolean; exited: boolean; viewers: number }[] }> {
  return (await server.fetch('/api/terminal/sessions')).json();
}

describe('local terminal', () => {
  it('runs the shell in a real PTY and echoes a command', async () => {
    const c = client();
    const ready = await c.init({ kind: 'local', shell: '/bin/bash' });
    expect(ready).toMatchObject({ kind: 'local', title: 'bash', id: expect.any(String) });
    c.input('echo "sum=$((40+2))"\r');
    await c.waitForOutput('sum=42');
  });

  it('sets TERM=xterm-256color and starts in the requested cwd', async () => {
    const c = client();
    await c.init({ kind: 'local', shell: '/bin/sh', cwd: '/tmp' });
    c.input('echo "t=$TERM d=$(pwd)"\r');
    await c.waitForOutput('t=xterm-256color d=/tmp');
  });

  it('does not leak the access token into the shell environment', async () => {
    const c = client();
    await c.init({ kind: 'local', shell: '/bin/sh' });
    c.input('echo "tok=[${ATELIER_TOKEN}]"\r');
    await c.waitForOutput('tok=[]');
  });

  it('applies resize to the PTY (checked with stty size)', async () => {
    const c = client();
    await c.init({ kind: 'local', shell: '/bin/sh', cols: 100, rows: 30 });
    c.input('stty size\r');
    await c.waitForOutput('30 100');
    c.send({ type: 'resize', data: { cols: 132, rows: 43 } });
    c.input('stty size\r');
    await c.waitForOutput('43 132');
  });

  it('reports the exit code and refuses input afterwards', async () => {
    const c = client();
    await c.init({ kind: 'local', shell: '/bin/sh' });
    c.input('exit 7\r');
    const exit = await c.waitForMessage((m) => m.type === 'exit');
    expect(exit.data).toEqual({ code: 7, signal: null });
    c.input('echo too late\r');
    const err = await c.waitForMessage((m) => m.type === 'error');
    expect(err.data).toMatchObject({ code: 'SESSION_EXITED' });
  });

  it('restores the screen and scrollback on re-attach, then streams live output', async () => {
    const first = client();
    const { id } = await first.init({ kind: 'local', shell: '/bin/sh' });
    first.input('for i in $(seq 1 200); do echo "line-$i"; done\r');
    await first.waitForOutput('line-200');
    first.close();
    await first.waitForClose();

    const second = client();
    await second.opened();
    second.send({ type: 'attach', data: { id } });
    const ready = await second.waitForMessage((m) => m.type === 'ready');
    expect(ready.data).toMatchObject({ id });
    await second.waitForOutput('line-200');
    expect(second.output).toContain('line-1\r\n'); // scrollback, not just the visible rows
    second.input('echo after-attach\r');
    await second.waitForOutput('after-attach');
  });

  it('restores the tail of a flood bigger than the mirror backlog', async () => {
    const first = client();
    const { id } = await first.init({ kind: 'local', shell: '/bin/sh' });
    first.input('head -c 12000000 /dev/zero | tr "\\0" "x" | fold -w 100; echo; echo "END-""OF-FLOOD"\r');
    await first.waitForOutput('END-OF-FLOOD', 60_000);
    first.close();
    await first.waitForClose();
    const second = client();
    await second.opened();
    second.send({ type: 'attach', data: { id } });
    await second.waitForOutput('END-OF-FLOOD');
    // The snapshot is the screen plus bounded scrollback, not the 12 MB that streamed by.
    expect(second.bytes).toBeLessThan(2 * 1024 * 1024);
  }, 90_000);

  it('ends the session and its process on a close frame', async () => {
    const c = client();
    const { id } = await c.init({ kind: 'local', shell: '/bin/sh' });
    c.input('echo "pid=$$"\r');
    await c.waitForOutput(/pid=\d+/);
    const pid = Number(c.output.match(/pid=(\d+)/)![1]);
    c.send({ type: 'close' });
    expect((await c.waitForClose()).code).toBe(1000);
    expect((await sessions()).active.some((s) => s.id === id)).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('lets two viewers watch one session', async () => {
    const a = client();
    const { id } = await a.init({ kind: 'local', shell: '/bin/sh' });
    const b = client();
    await b.opened();
    b.send({ type: 'attach', data: { id } });
    await b.waitForMessage((m) => m.type === 'ready');
    a.input('echo both-see-this\r');
    await a.waitForOutput('both-see-this');
    await b.waitForOutput('both-see-this');
  });

  it('pauses a program whose viewer stops acking, and resumes when it acks again', async () => {
    const c = client({ autoAck: false });
    const { id } = await c.init({ kind: 'local', shell: '/bin/sh' });
    c.input('yes flow-control-line-of-output | head -c 500000000; echo; echo FLOW-DONE\r');
    const paused = async () => (await sessions()).active.find((s) => s.id === id)?.paused;
    const end = Date.now() + 10_000;
    while (!(await paused()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(await paused()).toBe(true);
    const rssBefore = process.memoryUsage().rss;
    const seen = c.bytes;
    await new Promise((r) => setTimeout(r, 1500));
    // Stalled: barely anything more arrives and server memory does not grow with the output.
    expect(c.bytes - seen).toBeLessThan(1024 * 1024);
    expect(c.bytes).toBeLessThan(4 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(32 * 1024 * 1024);
    c.autoAck = true;
    c.send({ type: 'ack', data: c.bytes });
    await c.waitForOutput('FLOW-DONE', 60_000);
  }, 90_000);
});

describe('a session paused by one of its viewers', () => {
  it('tells the other viewers it waits on another one, never the one behind, and when it runs again', async () => {
    const fast = client();
    const { id } = await fast.init({ kind: 'local', shell: '/bin/sh' });
    const slow = client({ autoAck: false });
    await slow.opened();
    slow.send({ type: 'attach', data: { id } });
    await slow.waitForMessage((m) => m.type === 'ready');
    // The typed line holds "HELD-$((1+1))"; only the shell's output holds "HELD-2".
    fast.input('yes held-by-another-viewer | head -c 10000000; echo; echo HELD-$((1+1))\r');
    await fast.waitForMessage((m) => m.type === 'paused' && m.data.paused, 20_000);
    expect(slow.messages.some((m) => m.type === 'paused')).toBe(false);
    slow.close();
    await fast.waitForMessage((m) => m.type === 'paused' && !m.data.paused, 10_000);
    await fast.waitForOutput('HELD-2', 90_000);
  }, 120_000);

  it('never tells a viewer alone, however often its own acks pause and resume the session', async () => {
    const alone = client({ autoAck: false });
    const { id } = await alone.init({ kind: 'local', shell: '/bin/sh' });
    const paused = async () => (await sessions()).active.find((s) => s.id === id)?.paused === true;
    const untilPaused = async () => {
      const end = Date.now() + 20_000;
      while (!(await paused())) {
        if (Date.now() > end) throw new Error('the session never paused');
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    let acked = 0;
    const ackAll = () => {
      alone.send({ type: 'ack', data: alone.bytes - acked });
      acked = alone.bytes;
    };
    alone.input('yes only-viewer | head -c 20000000; echo; echo ALONE-$((2+2))\r');
    // Paused by this viewer's own silence; an ack that leaves it between the marks keeps the
    // session paused (and this viewer under the high mark): still its own doing, nothing to tell.
    await untilPaused();
    const partly = alone.bytes - acked - (FLOW_CONTROL.LOW_WATERMARK_BYTES + FLOW_CONTROL.HIGH_WATERMARK_BYTES) / 2;
    alone.send({ type: 'ack', data: partly });
    acked += partly;
    await new Promise((r) => setTimeout(r, 300));
    expect(await paused()).toBe(true);
    alone.autoAck = true;
    ackAll();
    await alone.waitForOutput('ALONE-4', 60_000);
    expect(alone.messages.filter((m) => m.type === 'paused')).toEqual([]);
  }, 90_000);
});

describe('terminal sessions lifecycle', () => {
  it('closes a detached session after the grace time', async () => {
    await server.fetch('/api/terminal/settings', { method: 'PUT', body: JSON.stringify({ detach_grace_s: 1 }) });
    try {
      const c = client();
      const { id } = await c.init({ kind: 'local', shell: '/bin/sh' });
      c.close();
      await c.waitForClose();
      expect((await sessions()).active.some((s) => s.id === id)).toBe(true);
      await new Promise((r) => setTimeout(r, 1600));
      expect((await sessions()).active.some((s) => s.id === id)).toBe(false);
      const late = client();
      await late.opened();
      late.send({ type: 'attach', data: { id } });
      expect((await late.waitForMessage((m) => m.type === 'error')).data).toMatchObject({ code: 'SESSION_NOT_FOUND' });
    } finally {
      await server.fetch('/api/terminal/settings', { method: 'PUT', body: JSON.stringify({ detach_grace_s: 1800 }) });
    }
  });

  it('lists local shells from /etc/shells as system terminals', async () => {
    const body = await (await server.fetch('/api/terminal/sessions')).json();
    expect(body.system).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'local', shell: '/bin/sh' })]));
    expect(body.system.filter((s: { kind: string }) => s.kind === 'wsl')).toEqual([]);
  });
});

describe('bad terminal input', () => {
  const bad = async (data: Record<string, unknown>) => {
    const c = client();
    await c.opened();
    c.send({ type: 'init', data });
    return (await c.waitForMessage((m) => m.type === 'error')).data as { code: string; error: string };
  };

  it('refuses an unknown kind', async () => {
    expect(await bad({ kind: 'telnet', cols: 80, rows: 24 })).toMatchObject({ code: 'BAD_FRAME', error: expect.stringContaining('kind') });
  });

  it.each([
    [0, 24],
    [100000, 24],
    [80, 0],
    [80, 100000],
  ])('refuses cols=%s rows=%s', async (cols, rows) => {
    const err = await bad({ kind: 'local', cols, rows });
    expect(err.code).toBe('BAD_FRAME');
    expect(err.error).toMatch(/cols|rows/);
  });

  it('refuses an ssh init without a connection', async () => {
    expect(await bad({ kind: 'ssh', cols: 80, rows: 24 })).toMatchObject({ code: 'MISSING_CONNECTION' });
  });

  it('refuses a WSL terminal off Windows', async () => {
    expect(await bad({ kind: 'wsl', distro: 'Ubuntu', cols: 80, rows: 24 })).toMatchObject({ code: 'WSL_UNAVAILABLE' });
  });

  it('refuses a program that is not a shell and a cwd that does not exist', async () => {
    expect(await bad({ kind: 'local', shell: '/usr/bin/python3', cols: 80, rows: 24 })).toMatchObject({ code: 'UNKNOWN_SHELL' });
    expect(await bad({ kind: 'local', cwd: '/no/such/dir', cols: 80, rows: 24 })).toMatchObject({ code: 'BAD_CWD' });
  });

  it('refuses attach to an unknown id', async () => {
    const c = client();
    await c.opened();
    c.send({ type: 'attach', data: { id: 'no-such-session' } });
    expect((await c.waitForMessage((m) => m.type === 'error')).data).toMatchObject({ code: 'SESSION_NOT_FOUND' });
  });

  it('answers binary junk, non-JSON text and unknown types with errors and keeps the session alive', async () => {
    const c = client();
    await c.init({ kind: 'local', shell: '/bin/sh' });
    c.ws.send(Buffer.from([0xff, 0x00, 0x13, 0x37]), { binary: true });
    c.ws.send('not json at all');
    c.ws.send(JSON.stringify({ type: 'explode' }));
    c.ws.send(JSON.stringify({ type: 'input', data: 42 }));
    await c.waitForMessage((m) => m.type === 'error' && m.data.error.includes('Binary'));
    await c.waitForMessage((m) => m.type === 'error' && m.data.error.includes('JSON'));
    expect(c.messages.filter((m) => m.type === 'error')).toHaveLength(4);
    c.input('echo still-alive\r');
    await c.waitForOutput('still-alive');
  });

  it('refuses input before init', async () => {
    const c = client();
    await c.opened();
    c.input('echo hi\r');
    expect((await c.waitForMessage((m) => m.type === 'error')).data).toMatchObject({ code: 'NOT_STARTED' });
  });
});
