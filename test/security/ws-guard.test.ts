import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryUpgrade } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

// No WebSocket route exists in the core: an upgrade that passes the guard ends at 404,
// so any 401/403 below can only come from the guard itself.
const PATH = '/api/ws/none';

describe('WebSocket upgrade guard', () => {
  it('refuses an upgrade without a token with 401', async () => {
    const res = await tryUpgrade(server.port, PATH);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).code).toBe('UNAUTHORIZED');
  });

  it('refuses a wrong ?token= with 401', async () => {
    const res = await tryUpgrade(server.port, `${PATH}?token=wrong`);
    expect(res.status).toBe(401);
  });

  it('refuses a foreign Origin with 403 even with the right token', async () => {
    const res = await tryUpgrade(server.port, `${PATH}?token=${server.token}`, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe('BAD_ORIGIN');
  });

  it('refuses a foreign Host with 403 even with the right token', async () => {
    const res = await tryUpgrade(server.port, `${PATH}?token=${server.token}`, { host: `rebind.example:${server.port}` });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe('BAD_HOST');
  });

  it('lets a local origin with ?token= through the guard (to the 404 of a missing route)', async () => {
    const res = await tryUpgrade(server.port, `${PATH}?token=${server.token}`, { origin: `http://localhost:${server.port}` });
    expect(res.status).toBe(404);
  });

  it('accepts the session cookie instead of ?token=', async () => {
    const res = await tryUpgrade(server.port, PATH, { cookie: `atelier_${server.port}=${server.token}` });
    expect(res.status).toBe(404);
  });
});

describe('WebSocket guard on the terminal route', () => {
  const TERMINAL = '/api/ws/terminal';

  it('refuses the terminal socket without a token', async () => {
    expect((await tryUpgrade(server.port, TERMINAL)).status).toBe(401);
  });

  it('refuses the terminal socket from a foreign Origin', async () => {
    const res = await tryUpgrade(server.port, `${TERMINAL}?token=${server.token}`, { origin: 'http://attacker.example' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe('BAD_ORIGIN');
  });

  it('refuses the terminal socket with a foreign Host', async () => {
    const res = await tryUpgrade(server.port, `${TERMINAL}?token=${server.token}`, { host: `evil.example:${server.port}` });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe('BAD_HOST');
  });

  it('opens the terminal socket for a local origin with the token', async () => {
    const res = await tryUpgrade(server.port, `${TERMINAL}?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
    expect(res.status).toBe(101);
    res.socket!.close();
  });
});
