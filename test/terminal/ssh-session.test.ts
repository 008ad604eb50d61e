import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, freePort, type Sshd } from '../helpers/sshd.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TerminalClient } from '../helpers/terminal-client.js';
import { FLOW_CONTROL } from '../../server/src/wire/terminal.js';

let sshd: Sshd;
let server: TestServer;
const clients: TerminalClient[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  server = await startTestServer();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server?.close();
  await sshd?.stop();
});

async function save(connection: Record<string, unknown>): Promise<Record<string, any>> {
  const res = await server.fetch('/api/terminal/sessions', { method: 'POST', body: JSON.stringify({ host: '127.0.0.1', port: sshd.port, username: sshd.user, ...connection }) });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

async function saved(name: string): Promise<Record<string, any>> {
  const list = (await (await server.fetch('/api/terminal/sessions')).json()) as { connections: Record<string, any>[] };
  return list.connections.find((c) => c.name === name)!;
}

function client(): TerminalClient {
  const c = new TerminalClient(server.port, server.token);
  clients.push(c);
  return c;
}

/** Sends init for a saved connection and returns the first ready or error message. */
async function open(connection: string, size: { cols?: number; rows?: number } = {}) {
  const c = client();
  await c.opened();
  c.send({ type: 'init', data: { kind: 'ssh', connection, cols: 80, rows: 24, ...size } });
  const first = await c.waitForMessage((m) => m.type === 'ready' || m.type === 'error', 20_000);
  return { c, first };
}

async function activeSessions(): Promise<number> {
  const list = (await (await server.fetch('/api/terminal/sessions')).json()) as { active: unknown[] };
  return list.active.length;
}

describe('SSH terminals against a real sshd', () => {
  it('opens a shell with key auth and round-trips an echo', async () => {
    await save({ name: 'key', auth: 'key', private_key: sshd.clientKey });
    const { c, first } = await open('key');
    expect(first).toMatchObject({ type: 'ready', data: { kind: 'ssh', title: `${sshd.user}@127.0.0.1` } });
    c.input('echo round-$((40+2))-trip\r');
    await c.waitForOutput('round-42-trip');
  });

  it('pins the host key on the first connection, with the fingerprint OpenSSH prints', async () => {
    const conn = await saved('key');
    expect(conn.host_key_sha256).toBe(sshd.hostKeyFingerprint);
    expect(Date.parse(conn.host_key_pinned_at)).not.toBeNaN();
  });

  it('logs in with a password', async () => {
    if (sshd.password === null) throw new Error('password auth needs the tests to run as root (sshd can only check other users\' passwords as root)');
    await save({ name: 'pw', auth: 'password', password: sshd.password });
    const { c, first } = await open('pw');
    expect(first.type).toBe('ready');
    c.input('echo pw-$((6*7))\r');
    await c.waitForOutput('pw-42');
  });

  it('logs in with a password over keyboard-interactive when the server takes passwords only that way (PAM)', async () => {
    if (sshd.password === null) throw new Error('password auth needs the tests to run as root');
    const pam = await startSshd({ passwords: 'keyboard-interactive' });
    try {
      await save({ name: 'kbd', auth: 'password', password: pam.password, port: pam.port });
      const { c, first } = await open('kbd');
      expect(first.type, JSON.stringify(first)).toBe('ready');
      c.input('echo kbd-$((5*5))\r');
      await c.waitForOutput('kbd-25');
      await save({ name: 'kbd-wrong', auth: 'password', password: 'not the password', port: pam.port });
      const wrong = await open('kbd-wrong');
      expect(wrong.first).toMatchObject({ type: 'error', data: { code: 'SSH_AUTH_FAILED' } });
    } finally {
      await pam.stop();
    }
  });

  it('logs in with a passphrase-protected key read from key_path', async () => {
    const path = `${sshd.clientKeyPath}_copy`;
    writeFileSync(path, sshd.encryptedClientKey, { mode: 0o600 });
    await save({ name: 'key-file', auth: 'key', key_path: path, passphrase: sshd.clientKeyPassphrase });
    const { c, first } = await open('key-file');
    expect(first.type).toBe('ready');
    c.input('echo file-$((1+1))\r');
    await c.waitForOutput('file-2');
  });

  it('logs in through the ssh-agent that SSH_AUTH_SOCK names', async () => {
    const socket = join(dirname(sshd.clientKeyPath), 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      const deadline = Date.now() + 5_000;
      while (!existsSync(socket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      execFileSync('ssh-add', [sshd.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'pipe' });
      process.env.SSH_AUTH_SOCK = socket; // the server runs in this process
      await save({ name: 'agent', auth: 'agent' });
      const { c, first } = await open('agent');
      expect(first.type).toBe('ready');
      c.input('echo agent-$((3*3))\r');
      await c.waitForOutput('agent-9');
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      agent.kill();
    }
  });

  it('refuses agent auth with SSH_AGENT_UNAVAILABLE when SSH_AUTH_SOCK is unset', async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      await save({ name: 'no-agent', auth: 'agent' });
      const { first } = await open('no-agent');
      expect(first).toMatchObject({ type: 'error', data: { code: 'SSH_AGENT_UNAVAILABLE' } });
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
  });

  it('refuses a wrong password with SSH_AUTH_FAILED and pins nothing', async () => {
    await save({ name: 'bad-pw', auth: 'password', password: 'certainly-not-the-password' });
    const before = await activeSessions();
    const { first } = await open('bad-pw');
    expect(first).toMatchObject({ type: 'error', data: { code: 'SSH_AUTH_FAILED' } });
    expect((await saved('bad-pw')).host_key_sha256).toBeNull();
    expect(await activeSessions()).toBe(before);
  });

  it('reports SSH_CONNECT_FAILED for a host that refuses the connection', async () => {
    const closed = await freePort();
    await save({ name: 'closed', port: closed, auth: 'password', password: 'x' });
    const { first } = await open('closed');
    expect(first).toMatchObject({ type: 'error', data: { code: 'SSH_CONNECT_FAILED', error: `Connection refused by 127.0.0.1:${closed}` } });
  });

  it('reports UNKNOWN_CONNECTION for a connection that was never saved', async () => {
    const { first } = await open('never-saved');
    expect(first).toMatchObject({ type: 'error', data: { code: 'UNKNOWN_CONNECTION' } });
  });

  it('passes resizes on to the remote terminal', async () => {
    const { c } = await open('key', { cols: 80, rows: 24 });
    c.input('stty size\r');
    await c.waitForOutput(/[\r\n]24 80\r\n/);
    c.send({ type: 'resize', data: { cols: 123, rows: 45 } });
    c.input('stty size\r');
    await c.waitForOutput(/[\r\n]45 123\r\n/);
  });

  it('stops reading the SSH channel while the viewer does not acknowledge output', async () => {
    const { c, first } = await open('key');
    const id = (first as { data: { id: string } }).data.id;
    c.autoAck = false;
    c.input('yes\r');
    await c.waitForOutput('y\r\ny\r\n');
    const paused = async () => ((await (await server.fetch('/api/terminal/sessions')).json()) as { active: { id: string; paused: boolean }[] }).active.find((s) => s.id === id)?.paused;
    const deadline = Date.now() + 10_000;
    while (!(await paused()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await paused()).toBe(true);
    const seen = c.bytes;
    await new Promise((r) => setTimeout(r, 500));
    expect(c.bytes).toBe(seen);
    // At most one window plus the frame that crossed it.
    expect(seen).toBeLessThan(FLOW_CONTROL.HIGH_WATERMARK_BYTES + 512 * 1024);
    c.input('\x03');
    c.autoAck = true;
    c.send({ type: 'ack', data: c.bytes });
  });

  it('reports the exit status of `exit 3` as an exit message', async () => {
    const { c } = await open('key');
    c.input('exit 3\r');
    const exit = await c.waitForMessage((m) => m.type === 'exit');
    expect(exit).toEqual({ type: 'exit', data: { code: 3, signal: null } });
  });

  it('reaches a host through a jump connection and pins both host keys', async () => {
    await save({ name: 'bastion', auth: 'key', private_key: sshd.clientKey });
    await save({ name: 'behind', auth: 'key', private_key: sshd.clientKey, jump: 'bastion' });
    const { c, first } = await open('behind');
    expect(first.type).toBe('ready');
    // The target sees the connection come from the jump host's forwarded channel.
    c.input('echo via-$((2+3)) $SSH_CLIENT\r');
    await c.waitForOutput(/via-5 127\.0\.0\.1 /);
    expect((await saved('bastion')).host_key_sha256).toBe(sshd.hostKeyFingerprint);
    expect((await saved('behind')).host_key_sha256).toBe(sshd.hostKeyFingerprint);
  });

  it('refuses a changed host key with HOST_KEY_CHANGED and creates no session', async () => {
    const old = sshd.hostKeyFingerprint;
    await sshd.swapHostKey();
    const before = await activeSessions();
    const { c, first } = await open('key');
    expect(first).toMatchObject({ type: 'error', data: { code: 'HOST_KEY_CHANGED' } });
    const message = (first as { data: { error: string } }).data.error;
    expect(message).toContain(`expected fingerprint ${old}, got ${sshd.hostKeyFingerprint}`);
    expect(message).toContain('clear the pinned key in the connection editor');
    expect(await activeSessions()).toBe(before);
    expect(c.output).toBe('');
    expect((await saved('key')).host_key_sha256).toBe(old);
  });

  it('connects again and pins the new key once the pin is forgotten', async () => {
    const res = await server.fetch('/api/terminal/sessions/key/host-key', { method: 'POST', body: JSON.stringify({ action: 'forget' }) });
    expect(res.status).toBe(200);
    const { first } = await open('key');
    expect(first.type).toBe('ready');
    expect((await saved('key')).host_key_sha256).toBe(sshd.hostKeyFingerprint);
  });
});
