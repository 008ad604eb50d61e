import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let headers: Record<string, string>;
beforeAll(async () => {
  server = await startTestServer();
  headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
});
afterAll(() => server.close());

describe('API conventions', () => {
  it('answers 400 INVALID_JSON for a malformed body and keeps serving', async () => {
    const res = await rawRequest(server.port, { method: 'PUT', path: '/api/config/profile', headers, body: '{"name": "x",' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: expect.any(String), code: 'INVALID_JSON' });
    expect((await server.fetch('/api/health')).status).toBe(200);
  });

  it('answers 413 for a body over 1 MB and stores nothing', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
    const res = await rawRequest(server.port, { method: 'PUT', path: '/api/config/profile', headers, body });
    expect(res.status).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
    expect((await (await server.fetch('/api/config')).json()).profile.name).toBe('');
  });

  it('refuses a JSON body that is not an object', async () => {
    for (const body of ['[1,2]', '"fr"', 'null', '42']) {
      const res = await rawRequest(server.port, { method: 'PUT', path: '/api/config/profile', headers, body });
      expect(res.status, body).toBe(400);
    }
  });

  it('answers unknown API paths with 404 in the error shape', async () => {
    const res = await server.fetch('/api/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('documents every route in /api/openapi.json, generated from the validating schemas', async () => {
    const doc = await (await server.fetch('/api/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/config', '/api/config/profile', '/api/config/provider/{id}', '/api/system/metrics']));
    const profile = doc.paths['/api/config/profile'].put.requestBody.content['application/json'].schema;
    expect(profile.properties.language.enum).toEqual(['en', 'fr']);
    expect(profile.additionalProperties).toBe(false);
  });
});
