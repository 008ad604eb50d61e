import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let auth: Record<string, string>;
beforeAll(async () => {
  server = await startTestServer();
  auth = { authorization: `Bearer ${server.token}` };
});
afterAll(() => server.close());

describe('Host allow-list', () => {
  it('refuses a foreign Host with 403 BAD_HOST, even with the token', async () => {
    const res = await rawRequest(server.port, { path: '/api/config', headers: { ...auth, host: `evil.example:${server.port}` } });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ code: 'BAD_HOST' });
  });

  it('refuses a rebinding-style Host on a public route too', async () => {
    const res = await rawRequest(server.port, { path: '/api/health', headers: { host: `attacker.test:${server.port}` } });
    expect(res.status).toBe(403);
    expect(res.json().code).toBe('BAD_HOST');
  });

  it('refuses a loopback Host naming another port', async () => {
    const res = await rawRequest(server.port, { path: '/api/health', headers: { host: `localhost:${server.port + 1}` } });
    expect(res.status).toBe(403);
  });

  it.each(['localhost', '127.0.0.1', '[::1]'])('accepts %s with the bound port', async (name) => {
    const res = await rawRequest(server.port, { path: '/api/health', headers: { host: `${name}:${server.port}` } });
    expect(res.status).toBe(200);
  });
});

describe('Origin allow-list and CORS', () => {
  it('refuses a foreign Origin with 403 BAD_ORIGIN and no CORS grant', async () => {
    const res = await rawRequest(server.port, { path: '/api/config', headers: { ...auth, origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(res.json().code).toBe('BAD_ORIGIN');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses the opaque "null" Origin of sandboxed frames and file pages', async () => {
    const res = await rawRequest(server.port, { path: '/api/health', headers: { origin: 'null' } });
    expect(res.status).toBe(403);
  });

  it.each(['http://localhost:5173', 'https://127.0.0.1', 'http://[::1]:9000'])('echoes the local origin %s with Vary: Origin', async (origin) => {
    const res = await rawRequest(server.port, { path: '/api/health', headers: { origin } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers.vary).toMatch(/Origin/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('answers a local preflight without reaching any handler', async () => {
    const res = await rawRequest(server.port, {
      method: 'OPTIONS',
      path: '/api/config/reset',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const config = await (await server.fetch('/api/config')).json();
    expect(config.profile.language).toBe('en');
  });

  it('refuses a preflight from a foreign origin', async () => {
    const res = await rawRequest(server.port, { method: 'OPTIONS', path: '/api/config/reset', headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
  });
});

describe('token', () => {
  it('answers 401 UNAUTHORIZED without a token', async () => {
    const res = await rawRequest(server.port, { path: '/api/config' });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({ error: expect.any(String), code: 'UNAUTHORIZED' });
  });

  it('answers 401 with a wrong Bearer token', async () => {
    const res = await rawRequest(server.port, { path: '/api/config', headers: { authorization: `Bearer ${server.token}x` } });
    expect(res.status).toBe(401);
  });

  it('ignores ?token= on plain HTTP API calls (it would end up in logs and history)', async () => {
    const res = await rawRequest(server.port, { path: `/api/config?token=${server.token}` });
    expect(res.status).toBe(401);
  });

  it('cannot be bypassed by changing the case or encoding of /api', async () => {
    for (const path of ['/API/config', '/Api/config', '/%61pi/config', '/api//config', '/api/config/']) {
      const res = await rawRequest(server.port, { path });
      expect([401, 404], path).toContain(res.status);
      expect(res.text, path).not.toContain('"profile"');
    }
  });

  it('leaves /api/health, /healthz and the shell public', async () => {
    for (const path of ['/api/health', '/healthz']) {
      const res = await rawRequest(server.port, { path });
      expect(res.status, path).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ok', version: expect.any(String), uptime: expect.any(Number) });
    }
  });
});

describe('sign-in cookie', () => {
  it('turns /?token= into an HttpOnly SameSite=Strict cookie and redirects to /', async () => {
    const res = await rawRequest(server.port, { path: `/?token=${encodeURIComponent(server.token)}` });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^atelier_${server.port}=`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    const value = cookie.split(';')[0]!;
    const api = await rawRequest(server.port, { path: '/api/config', headers: { cookie: value } });
    expect(api.status).toBe(200);
  });

  it('sends a wrong /?token= to the sign-in screen without a cookie', async () => {
    const res = await rawRequest(server.port, { path: '/?token=nope' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/#/signin/failed');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('signs in through POST /api/auth/session with the right token only', async () => {
    const bad = await rawRequest(server.port, { method: 'POST', path: '/api/auth/session', headers: { 'content-type': 'application/json' }, body: '{"token":"wrong"}' });
    expect(bad.status).toBe(401);
    expect(bad.headers['set-cookie']).toBeUndefined();
    const good = await rawRequest(server.port, {
      method: 'POST',
      path: '/api/auth/session',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: server.token }),
    });
    expect(good.status).toBe(204);
    expect(String(good.headers['set-cookie'])).toMatch(/HttpOnly/);
  });

  it('does not accept a cookie named for another port', async () => {
    const res = await rawRequest(server.port, { path: '/api/config', headers: { cookie: `atelier_1=${server.token}` } });
    expect(res.status).toBe(401);
  });
});

describe('content type of state-changing requests', () => {
  it.each([
    ['text/plain', '{"language":"fr"}'],
    ['application/x-www-form-urlencoded', 'language=fr'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="language"\r\n\r\nfr\r\n--x--'],
  ])('refuses %s with 415 and changes nothing', async (type, body) => {
    const res = await rawRequest(server.port, { method: 'PUT', path: '/api/config/profile', headers: { ...auth, 'content-type': type }, body });
    expect(res.status).toBe(415);
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const config = await (await server.fetch('/api/config')).json();
    expect(config.profile.language).toBe('en');
  });

  it('refuses a body-less POST without a JSON content type (a no-cors fetch sends none)', async () => {
    const res = await rawRequest(server.port, { method: 'POST', path: '/api/config/reset', headers: auth });
    expect(res.status).toBe(415);
  });
});

describe('response headers', () => {
  it('sets nosniff, frame denial and a same-origin CSP', async () => {
    const res = await rawRequest(server.port, { path: '/api/health' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  });
});

describe('every documented route', () => {
  /** Each route of /api/openapi.json with its path parameters filled in, public ones left out. */
  async function documentedRoutes(): Promise<{ method: string; path: string }[]> {
    const doc = await (await server.fetch('/api/openapi.json')).json();
    const routes: { method: string; path: string }[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      if (['/api/health', '/healthz', '/api/auth/session'].includes(path)) continue;
      for (const method of Object.keys(ops)) routes.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'x') });
    }
    return routes;
  }

  it('is refused without a token, from a foreign Origin or Host, and (when it changes state) without JSON', async () => {
    const routes = await documentedRoutes();
    expect(routes.length).toBeGreaterThan(40);
    const before = await (await server.fetch('/api/workflow/list')).json();
    for (const { method, path } of routes) {
      const label = `${method} ${path}`;
      const json: Record<string, string> = method === 'GET' ? {} : { 'content-type': 'application/json' };
      const body = method === 'GET' ? {} : { body: '{}' };
      expect((await rawRequest(server.port, { method, path, headers: json, ...body })).status, `${label} without a token`).toBe(401);
      expect((await rawRequest(server.port, { method, path, headers: { ...auth, ...json, origin: 'https://evil.example' }, ...body })).status, `${label} from a foreign origin`).toBe(403);
      expect((await rawRequest(server.port, { method, path, headers: { ...auth, ...json, host: 'evil.example' }, ...body })).status, `${label} with a foreign Host`).toBe(403);
      if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
        expect((await rawRequest(server.port, { method, path, headers: { ...auth, 'content-type': 'text/plain' }, body: '{}' })).status, `${label} as text/plain`).toBe(415);
      }
    }
    // Nothing ran or changed on the way.
    expect(await (await server.fetch('/api/workflow/list')).json()).toEqual(before);
  });
});
