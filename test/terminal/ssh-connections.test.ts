import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TerminalClient } from '../helpers/terminal-client.js';

let sshd: Sshd;
let server: TestServer;

beforeAll(async () => {
  sshd = await startSshd();
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
  await sshd?.stop();
});

function post(body: Record<string, unknown>): Promise<Response> {
  return server.fetch('/api/terminal/sessions', { method: 'POST', body: JSON.stringify(body) });
}

function base(name: string): Record<string, unknown> {
  return { name, host: '127.0.0.1', port: sshd.port, username: sshd.user };
}

async function list(): Promise<Record<string, any>[]> {
  return ((await (await server.fetch('/api/terminal/sessions')).json()) as { connections: Record<string, any>[] }).connections;
}

function hostKey(name: string, body: Record<string, unknown>): Promise<Response> {
  return server.fetch(`/api/terminal/sessions/${name}/host-key`, { method: 'POST', body: JSON.stringify(body) });
}

/** Opens an SSH terminal on a saved connection; resolves with the first ready or error message. */
async function connect(name: string) {
  const c = new TerminalClient(server.port, server.token);
  try {
    return await c.init({ kind: 'ssh', connection: name }).then((ready) => ({ type: 'ready' as const, data: ready }));
  } catch (err) {
    return { type: 'error' as const, message: String(err) };
  } finally {
    c.close();
  }
}

describe('saved SSH connections', () => {
  it('defaults the port to 22 and answers the connection with secrets masked', async () => {
    const res = await post({ name: 'defaults', host: 'example.invalid', username: 'me', auth: 'password', password: 'hunter2-secret' });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain('hunter2-secret');
    expect(JSON.parse(text)).toEqual({
      name: 'defaults',
      host: 'example.invalid',
      port: 22,
      username: 'me',
      auth: 'password',
      password: '***',
      private_key: '',
      key_path: null,
      passphrase: '',
      jump: null,
      host_key_sha256: null,
      host_key_pinned_at: null,
      updated_at: expect.any(String),
    });
  });

  it('lists connections with every secret masked', async () => {
    await post({ ...base('masked'), auth: 'key', private_key: sshd.encryptedClientKey, passphrase: sshd.clientKeyPassphrase });
    const res = await server.fetch('/api/terminal/sessions');
    const text = await res.text();
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(sshd.clientKeyPassphrase);
    expect((await list()).find((c) => c.name === 'masked')).toMatchObject({ private_key: '***', passphrase: '***', password: '' });
  });

  it('keeps the stored secrets when a POST sends "***"', async () => {
    await post({ ...base('keep'), auth: 'key', private_key: sshd.encryptedClientKey, passphrase: sshd.clientKeyPassphrase });
    const stored = (await list()).find((c) => c.name === 'keep')!;
    const { host_key_sha256: _h, host_key_pinned_at: _p, updated_at: _u, ...editable } = stored;
    const res = await post({ ...editable, private_key: '***', passphrase: '***' });
    expect(res.status).toBe(200);
    expect(await connect('keep')).toMatchObject({ type: 'ready' });
  });

  it('keeps a stored password when a POST leaves it out', async () => {
    if (sshd.password === null) throw new Error('password auth needs the tests to run as root');
    await post({ ...base('keep-pw'), auth: 'password', password: sshd.password });
    expect((await post({ ...base('keep-pw'), auth: 'password' })).status).toBe(200);
    expect(await connect('keep-pw')).toMatchObject({ type: 'ready' });
  });

  it('rejects invalid connections, naming the field at fault', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base('bad name!'), auth: 'agent' }, 'name'],
      [{ ...base('h'), host: 'two words', auth: 'agent' }, 'host'],
      [{ ...base('h'), host: '', auth: 'agent' }, 'host'],
      [{ ...base('p'), port: 0, auth: 'agent' }, 'port'],
      [{ ...base('p'), port: 65536, auth: 'agent' }, 'port'],
      [{ ...base('a'), auth: 'telepathy' }, 'auth'],
      [{ ...base('new-pw'), auth: 'password' }, 'password'],
      [{ ...base('new-key'), auth: 'key' }, 'private_key'],
      [{ ...base('junk-key'), auth: 'key', private_key: 'not a key' }, 'private_key'],
      [{ ...base('locked-key'), auth: 'key', private_key: sshd.encryptedClientKey }, 'private_key'],
      [{ ...base('bad-passphrase'), auth: 'key', private_key: sshd.encryptedClientKey, passphrase: 'not-it' }, 'passphrase'],
      [{ ...base('relative'), auth: 'key', key_path: 'id_ed25519' }, 'key_path'],
      [{ ...base('both'), auth: 'key', private_key: sshd.clientKey, key_path: '/tmp/k' }, 'key_path'],
      [{ ...base('self'), auth: 'agent', jump: 'self' }, 'jump'],
      [{ ...base('lost'), auth: 'agent', jump: 'nowhere' }, 'jump'],
      [{ ...base('x'), auth: 'agent', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      const answer = (await res.json()) as { code: string; issues: { path: string }[] };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(answer.code).toBe('VALIDATION_FAILED');
      expect(answer.issues.map((i) => i.path), JSON.stringify(body)).toContain(field);
    }
  });

  it('refuses a jump that would make a cycle', async () => {
    expect((await post({ ...base('cycle-a'), auth: 'agent' })).status).toBe(200);
    expect((await post({ ...base('cycle-b'), auth: 'agent', jump: 'cycle-a' })).status).toBe(200);
    const res = await post({ ...base('cycle-a'), auth: 'agent', jump: 'cycle-b' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('cycle');
  });

  it('deletes a connection with 204, answers 404 for an unknown one and 409 for a jump host in use', async () => {
    await post({ ...base('jumpbox'), auth: 'agent' });
    await post({ ...base('inner'), auth: 'agent', jump: 'jumpbox' });
    const inUse = await server.fetch('/api/terminal/sessions/jumpbox', { method: 'DELETE' });
    expect(inUse.status).toBe(409);
    expect(((await inUse.json()) as { code: string }).code).toBe('CONNECTION_IN_USE');
    expect((await server.fetch('/api/terminal/sessions/inner', { method: 'DELETE' })).status).toBe(204);
    expect((await server.fetch('/api/terminal/sessions/jumpbox', { method: 'DELETE' })).status).toBe(204);
    const gone = await server.fetch('/api/terminal/sessions/jumpbox', { method: 'DELETE' });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { code: string }).code).toBe('UNKNOWN_CONNECTION');
    expect((await list()).map((c) => c.name)).not.toContain('inner');
  });

  it('probes the host key without authenticating and reports whether it matches the pin', async () => {
    await post({ ...base('probe'), auth: 'password', password: 'wrong-but-unused' });
    const res = await hostKey('probe', { action: 'probe' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ fingerprint: sshd.hostKeyFingerprint, pinned: null, matches: false });
    expect((await list()).find((c) => c.name === 'probe')!.host_key_sha256).toBeNull();
  });

  it('probes a host behind a jump connection through that jump host', async () => {
    await post({ ...base('probe-bastion'), auth: 'key', private_key: sshd.clientKey });
    await post({ ...base('probe-behind'), auth: 'agent', jump: 'probe-bastion' });
    const res = await hostKey('probe-behind', { action: 'probe' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ fingerprint: sshd.hostKeyFingerprint, pinned: null });
  });

  it('pins a confirmed fingerprint when a fresh probe shows the same key', async () => {
    await post({ ...base('confirm'), auth: 'agent' });
    const res = await hostKey('confirm', { action: 'pin', fingerprint: sshd.hostKeyFingerprint });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'confirm', host_key_sha256: sshd.hostKeyFingerprint, host_key_pinned_at: expect.any(String) });
    expect(await (await hostKey('confirm', { action: 'probe' })).json()).toEqual({ fingerprint: sshd.hostKeyFingerprint, pinned: sshd.hostKeyFingerprint, matches: true });
  });

  it('refuses to pin a fingerprint the host does not present', async () => {
    await post({ ...base('impostor'), auth: 'agent' });
    const res = await hostKey('impostor', { action: 'pin', fingerprint: `SHA256:${'A'.repeat(43)}` });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe('HOST_KEY_MISMATCH');
    expect((await list()).find((c) => c.name === 'impostor')!.host_key_sha256).toBeNull();
  });

  it('forgets a pinned host key', async () => {
    await post({ ...base('forget'), auth: 'agent' });
    await hostKey('forget', { action: 'pin', fingerprint: sshd.hostKeyFingerprint });
    const res = await hostKey('forget', { action: 'forget' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ host_key_sha256: null, host_key_pinned_at: null });
  });

  it('forgets the pinned key when the host or port changes', async () => {
    await post({ ...base('moved'), auth: 'agent' });
    await hostKey('moved', { action: 'pin', fingerprint: sshd.hostKeyFingerprint });
    const res = await post({ ...base('moved'), port: sshd.port + 1, auth: 'agent' });
    expect(((await res.json()) as { host_key_sha256: string | null }).host_key_sha256).toBeNull();
  });

  it('answers the host-key route with 404 for an unknown connection', async () => {
    const res = await hostKey('nope', { action: 'probe' });
    expect(res.status).toBe(404);
  });
});
