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
    const profile = doc.paths['/api/config/profile'].put.requestBody.content['application/json'].schema;
    expect(profile.properties.language.enum).toEqual(['en', 'fr']);
    expect(profile.additionalProperties).toBe(false);
    for (const { method, path, op } of await routes()) {
      expect(op.summary, `${method} ${path}`).toEqual(expect.any(String));
      expect(op.tags, `${method} ${path}`).toEqual([expect.any(String)]);
    }
  });
});

/** Every route the app registered, as its OpenAPI document lists it (the document is generated from the route table). */
async function routes(): Promise<{ method: string; path: string; op: any }[]> {
  const doc = await (await server.fetch('/api/openapi.json')).json();
  const all = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path, op })));
  // The route table of every capability; a document listing a handful would mean routes went missing from it.
  expect(all.length).toBeGreaterThan(40);
  return all;
}

/** A concrete URL for a documented path: each `{param}` filled with a value no record has. */
function concrete(path: string): string {
  return path.replace(/\{[^}]+\}/g, 'no-such-id');
}

/** Only these answer without the token (SPEC §4). */
const PUBLIC = new Set(['/api/health', '/healthz', '/api/auth/session']);

describe('every route', () => {
  it('refuses a request without the token with 401 in the error shape, except the public ones', async () => {
    const failures: string[] = [];
    for (const { method, path } of await routes()) {
      const res = await rawRequest(server.port, { method: method.toUpperCase(), path: concrete(path), headers: { 'content-type': 'application/json' }, ...(method === 'get' ? {} : { body: '{}' }) });
      const json = safeJson(res.text);
      if (PUBLIC.has(path)) {
        if (res.status === 401) failures.push(`${method.toUpperCase()} ${path} is public but answered 401`);
      } else if (res.status !== 401 || !isErrorShape(json)) failures.push(`${method.toUpperCase()} ${path}: ${res.status} ${res.text.slice(0, 80)}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers a malformed body to any route that takes one with 400 INVALID_JSON, and a body that is not an object with 400, both in the error shape', async () => {
    const failures: string[] = [];
    const withBody = (await routes()).filter((r) => r.op.requestBody);
    expect(withBody.length).toBeGreaterThan(10);
    for (const { method, path, op } of withBody) {
      const send = (body: string) => rawRequest(server.port, { method: method.toUpperCase(), path: concrete(path), headers, body });
      const malformed = await send('{"a": ');
      const mj = safeJson(malformed.text);
      if (malformed.status !== 400 || !isErrorShape(mj) || mj.code !== 'INVALID_JSON') failures.push(`${method.toUpperCase()} ${path} malformed: ${malformed.status} ${malformed.text.slice(0, 80)}`);
      if (op.requestBody.content['application/json'].schema.type !== 'object') continue;
      const array = await send('[1,2]');
      if (array.status !== 400 || !isErrorShape(safeJson(array.text))) failures.push(`${method.toUpperCase()} ${path} array: ${array.status} ${array.text.slice(0, 80)}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers an unknown method on a known path with 404 in the error shape', async () => {
    const failures: string[] = [];
    const all = await routes();
    for (const path of new Set(all.map((r) => r.path))) {
      if (all.some((r) => r.path === path && r.method === 'patch')) continue;
      const res = await rawRequest(server.port, { method: 'PATCH', path: concrete(path), headers, body: '{}' });
      const json = safeJson(res.text);
      if (res.status !== 404 || !isErrorShape(json)) failures.push(`PATCH ${path}: ${res.status} ${res.text.slice(0, 80)}`);
    }
    expect(failures).toEqual([]);
  });
});

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `{error, code}` and maybe details such as `issues`: what the one error middleware writes (SPEC §6). */
function isErrorShape(json: any): boolean {
  return typeof json === 'object' && json !== null && typeof json.error === 'string' && json.error !== '' && typeof json.code === 'string' && /^[A-Z_]+$/.test(json.code);
}
