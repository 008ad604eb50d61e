// Nothing a terminal's process wrote before it exited may be lost: every byte reaches every
// viewer and the mirror, then `exit`. The program writes 3 MB and exits at once, the case that
// used to lose the last kilobytes (node-pty destroys its socket 200 ms after the exit, unread
// bytes and all, when flow control has paused it).
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { TerminalClient } from '../helpers/terminal-client.js';
import { FLOW_CONTROL } from '../../server/src/wire/terminal.js';

const PAYLOAD_BYTES = 3 * 1024 * 1024;
/** Printed by the shell just before the payload; typed as two words so the echoed command line does not contain it. */
const MARKER = 'PAYLOAD-START:';

let server: TestServer;
let sshd: Sshd;
const dir = tempDir();
// Base64 without line breaks: the PTY's output processing (\n → \r\n) leaves it byte for byte.
const payload = randomBytes((PAYLOAD_BYTES * 3) / 4).toString('base64');
const file = join(dir.dir, 'payload.b64');
const sha256 = createHash('sha256').update(payload).digest('hex');
const clients: TerminalClient[] = [];

beforeAll(async () => {
  chmodSync(dir.dir, 0o755); // the SSH test user reads it too
  writeFileSync(file, payload, { mode: 0o644 });
  [server, sshd] = await Promise.all([startTestServer(), startSshd()]);
  const res = await server.fetch('/api/terminal/sessions', { method: 'POST', body: JSON.stringify({ name: 'drain', host: '127.0.0.1', port: sshd.port, username: sshd.user, auth: 'key', private_key: sshd.clientKey }) });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
  await sshd?.stop();
  dir.remove();
});

/** A viewer that acknowledges what it received every `everyMs`, like a busy browser tab: the session pauses on it. */
function slowViewer(everyMs: number): TerminalClient {
  const c = new TerminalClient(server.port, server.token, { autoAck: false, keepRaw: true });
  let acked = 0;
  const timer = setInterval(() => {
    if (c.bytes > acked) c.send({ type: 'ack', data: c.bytes - acked });
    acked = c.bytes;
  }, everyMs);
  c.ws.on('close', () => clearInterval(timer));
  clients.push(c);
  return c;
}

function promptViewer(): TerminalClient {
  const c = new TerminalClient(server.port, server.token, { keepRaw: true });
  clients.push(c);
  return c;
}

const run = (bytes = PAYLOAD_BYTES): string => `printf '%s%s' PAYLOAD- START:; exec head -c ${bytes} ${file}\r`;
const digest = (bytes: number): string => createHash('sha256').update(payload.slice(0, bytes)).digest('hex');

async function expectWholePayload(c: TerminalClient, bytes = PAYLOAD_BYTES): Promise<void> {
  const exit = await c.waitForMessage((m) => m.type === 'exit', 60_000);
  expect(exit.data).toEqual({ code: 0, signal: null });
  expect(c.after(MARKER)).toEqual({ bytes, sha256: bytes === PAYLOAD_BYTES ? sha256 : digest(bytes) });
}

/** A viewer attaching after the exit gets the mirror's screen: its last row holds the payload's last bytes. */
async function expectMirrorHasTheEnd(id: string): Promise<void> {
  const late = promptViewer();
  await late.opened();
  late.send({ type: 'attach', data: { id } });
  await late.waitForMessage((m) => m.type === 'exit', 20_000);
  expect(late.output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r?\n/g, '')).toContain(payload.slice(-60));
}

describe.each([
  ['local', { kind: 'local', shell: '/bin/sh' }],
  ['ssh', { kind: 'ssh', connection: 'drain' }],
] as const)('a %s terminal whose program writes 3 MB and exits at once', (_name, init) => {
  it('delivers every byte to two viewers, one of them acking only every 40 ms, and to the mirror', async () => {
    const first = promptViewer();
    const { id } = await first.init({ ...init, cols: 80, rows: 24 });
    const slow = slowViewer(40);
    await slow.opened();
    slow.send({ type: 'attach', data: { id } });
    await slow.waitForMessage((m) => m.type === 'ready');
    first.input(run());
    await expectWholePayload(first);
    await expectWholePayload(slow);
    await expectMirrorHasTheEnd(id);
  }, 120_000);

  it('delivers every byte to a lone viewer that never falls behind', async () => {
    const c = promptViewer();
    await c.init({ ...init, cols: 80, rows: 24 });
    c.input(run());
    await expectWholePayload(c);
  }, 120_000);

  it('delivers the bytes still unread when the program exits while flow control has paused the session', async () => {
    // A viewer that acks nothing pauses the session past the high mark; the rest fits in the
    // kernel's buffers, so a local program exits while nobody reads (node-pty gives up on its
    // stream 200 ms later). Then the viewer catches up.
    const bytes = FLOW_CONTROL.HIGH_WATERMARK_BYTES + 16 * 1024;
    const c = new TerminalClient(server.port, server.token, { autoAck: false, keepRaw: true });
    clients.push(c);
    const { id } = await c.init({ ...init, cols: 80, rows: 24 });
    c.input(run(bytes));
    const paused = async (): Promise<boolean> => {
      const list = (await (await server.fetch('/api/terminal/sessions')).json()) as { active: { id: string; paused: boolean }[] };
      return list.active.find((s) => s.id === id)?.paused ?? false;
    };
    const deadline = Date.now() + 20_000;
    while (!(await paused())) {
      if (Date.now() > deadline) throw new Error('the session never paused');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 600));
    c.autoAck = true;
    c.send({ type: 'ack', data: c.bytes });
    await expectWholePayload(c, bytes);
  }, 120_000);
});
