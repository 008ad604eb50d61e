import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const json = (body: unknown) => ({ body: JSON.stringify(body) });
const put = (path: string, body: unknown) => server.fetch(path, { method: 'PUT', ...json(body) });
const post = (path: string, body: unknown = {}) => server.fetch(path, { method: 'POST', ...json(body) });
const onDisk = () => JSON.parse(readFileSync(join(server.home, 'config.json'), 'utf8'));
const SECRET = 'sk-test-0123456789abcdef';
const provider = { id: 'main', name: 'Main', type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: SECRET, model: 'gpt-x' };

describe('configuration API', () => {
  it('GET /api/config returns profile, terminal and bmad but no providers', async () => {
    const body = await (await server.fetch('/api/config')).json();
    expect(Object.keys(body).sort()).toEqual(['bmad', 'chat', 'permissions', 'profile', 'terminal']);
    expect(body.terminal.font_size).toBe(14);
  });

  it('PUT /api/config/profile merges the given fields only', async () => {
    const res = await put('/api/config/profile', { name: 'Ada' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'Ada', language: 'en', sudo_bypass: false });
    expect(onDisk().profile.name).toBe('Ada');
  });

  it('names the unknown field and changes nothing', async () => {
    const res = await put('/api/config/profile', { name: 'Bob', colour: 'red' });
    expect(res.status).toBe(400);
    const err = await res.json();
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.error).toContain('colour');
    expect(onDisk().profile.name).toBe('Ada');
  });

  it('names a field of the wrong type', async () => {
    const res = await put('/api/config/profile', { sudo_bypass: 'yes' });
    expect(res.status).toBe(400);
    expect((await res.json()).issues).toEqual([expect.objectContaining({ path: 'sudo_bypass' })]);
  });

  it('refuses a language other than en or fr', async () => {
    expect((await put('/api/config/profile', { language: 'de' })).status).toBe(400);
  });

  it('refuses an active_provider that does not exist', async () => {
    const res = await put('/api/config/profile', { active_provider: 'ghost' });
    expect(res.status).toBe(400);
    expect((await res.json()).issues[0].path).toBe('active_provider');
  });

  it.each([0, 5, 73, 14.5])('refuses terminal font_size %s and keeps the stored size', async (size) => {
    const res = await put('/api/terminal/settings', { font_size: size });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toContain('font_size');
    expect(onDisk().terminal.font_size).toBe(14);
  });

  it('accepts font_size 6 and 72 and an existing theme', async () => {
    expect(await (await put('/api/terminal/settings', { font_size: 72 })).json()).toMatchObject({ font_size: 72 });
    expect(await (await put('/api/terminal/settings', { font_size: 6, theme: 'dracula' })).json()).toMatchObject({ font_size: 6, theme: 'dracula' });
  });

  it('refuses an unknown terminal theme', async () => {
    const res = await put('/api/terminal/settings', { theme: 'no-such-theme' });
    expect(res.status).toBe(400);
    expect((await res.json()).issues[0].path).toBe('theme');
  });

  it('PUT /api/config/bmad merges', async () => {
    expect(await (await put('/api/config/bmad', { user_name: 'Ada' })).json()).toMatchObject({ user_name: 'Ada', communication_language: 'English' });
  });
});

describe('providers', () => {
  it('creates a provider and never returns its key', async () => {
    const res = await put('/api/config/provider', provider);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text).api_key).toBe('***');
    const list = await (await server.fetch('/api/providers')).text();
    expect(list).not.toContain(SECRET);
    expect(JSON.parse(list)).toEqual([expect.objectContaining({ id: 'main', api_key: '***' })]);
    expect(onDisk().providers[0].api_key).toBe(SECRET);
  });

  it('keeps the stored key when an update sends api_key "***"', async () => {
    const res = await put('/api/config/provider', { ...provider, api_key: '***', model: 'gpt-y' });
    expect(res.status).toBe(200);
    expect(onDisk().providers[0]).toMatchObject({ api_key: SECRET, model: 'gpt-y' });
  });

  it('refuses an unknown provider type and a non-http base_url', async () => {
    expect((await put('/api/config/provider', { ...provider, id: 'x', type: 'gemini' })).status).toBe(400);
    const res = await put('/api/config/provider', { ...provider, id: 'x', base_url: 'file:///etc/passwd' });
    expect(res.status).toBe(400);
    expect((await res.json()).issues[0].path).toBe('base_url');
    expect(onDisk().providers).toHaveLength(1);
  });

  it('lets the profile select an existing provider; deleting it clears the selection', async () => {
    expect((await put('/api/config/profile', { active_provider: 'main', active_model: 'gpt-y' })).status).toBe(200);
    const del = await server.fetch('/api/config/provider/main', { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(onDisk().profile).toMatchObject({ active_provider: '', active_model: '' });
    expect((await server.fetch('/api/config/provider/main', { method: 'DELETE' })).status).toBe(404);
  });

  it('keeps secrets out of generations listings', async () => {
    await put('/api/config/provider', provider);
    const text = await (await server.fetch('/api/config/generations')).text();
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text)[0]).toMatchObject({ reason: 'provider:main', changes: ['providers.main'], current: true });
  });
});

describe('generations, rollback and reset', () => {
  it('rolls back to an earlier generation', async () => {
    const gens = await (await server.fetch('/api/config/generations')).json();
    const withAda = gens.find((g: { changes: string[] }) => g.changes.includes('profile.name'));
    await put('/api/config/profile', { name: 'Zed' });
    const res = await post('/api/config/rollback', { generation: withAda.generation });
    expect(res.status).toBe(200);
    expect((await res.json()).profile.name).toBe('Ada');
  });

  it('answers 404 for a generation that does not exist, changing nothing', async () => {
    const before = onDisk();
    const res = await post('/api/config/rollback', { generation: 9999 });
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe('NOT_FOUND');
    expect(onDisk()).toEqual(before);
  });

  it('refuses a rollback body without a positive integer generation', async () => {
    expect((await post('/api/config/rollback', { generation: 'two' })).status).toBe(400);
    expect((await post('/api/config/rollback', {})).status).toBe(400);
  });

  it('resets everything to defaults and can be rolled back', async () => {
    await put('/api/config/provider', provider);
    const res = await post('/api/config/reset');
    expect(res.status).toBe(200);
    expect((await res.json()).profile.name).toBe('');
    expect(onDisk().providers).toEqual([]);
    const [current, previous] = await (await server.fetch('/api/config/generations')).json();
    expect(current.reason).toBe('reset');
    await post('/api/config/rollback', { generation: previous.generation });
    expect(onDisk().providers[0].api_key).toBe(SECRET);
  });
});
