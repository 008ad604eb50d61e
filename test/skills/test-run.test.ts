// POST /api/skills/test against the provider stand-in: the SKILL.md body is the system prompt,
// the sample prompt the user message; no provider means a skipped run, not an error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { call, writeSkill } from './fixtures.js';

const home = tempDir('atelier-skills-home-');
process.env.HOME = home.dir;

const ROOT = join(import.meta.dirname, '..', '..');

let server: TestServer;
let openai: ProviderStandin;

beforeAll(async () => {
  server = await startTestServer();
  openai = await startProviderStandin({ apiKey: 'sk-openai', models: ['gpt-test'] });
});
afterAll(async () => {
  await server.close();
  await openai.close();
  home.remove();
});

const test = (body: unknown) => call(server, 'POST', '/api/skills/test', body);

describe('POST /api/skills/test', () => {
  it('skips the run when no provider is configured, and still validates', async () => {
    const { status, json } = await test({ name: 'commit-message' });
    expect(status).toBe(200);
    expect(json).toEqual({ validation: expect.objectContaining({ valid: true, errors: [] }), run: { skipped: 'no provider configured' } });
  });

  it("sends the sample prompt with the SKILL.md body as system prompt and answers the model's reply", async () => {
    const put = (body: unknown) => call(server, 'PUT', '/api/config/provider', body);
    expect((await put({ id: 'oai', name: 'OpenAI stand-in', type: 'openai', base_url: openai.openaiBase, api_key: 'sk-openai', model: 'gpt-test', models: ['gpt-test'] })).status).toBe(200);
    expect((await call(server, 'PUT', '/api/config/profile', { active_provider: 'oai', active_model: 'gpt-test' })).status).toBe(200);

    openai.script([{ text: ['feat(api): ', 'add skills'], usage: { input_tokens: 900, output_tokens: 12 } }]);
    const { status, json } = await test({ name: 'commit-message' });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.validation.valid).toBe(true);
    expect(json.run).toMatchObject({ provider: 'oai', model: 'gpt-test', answer: 'feat(api): add skills', usage: { input_tokens: 900, output_tokens: 12 } });
    expect(json.run.latency_ms).toBeGreaterThanOrEqual(0);

    const sent = openai.chatRequests().at(-1)!.body;
    const text = readFileSync(join(ROOT, 'skills', 'commit-message', 'SKILL.md'), 'utf8');
    const body = text.slice(text.indexOf('\n---', 3) + 4).trim();
    expect(sent.messages[0].role).toBe('system');
    expect(sent.messages[0].content).toContain(body);
    expect(sent.messages[0].content).not.toContain('atelier-sample-prompt'); // the front matter is not the instructions
    expect(sent.messages[1]).toEqual({ role: 'user', content: "I've staged my changes. Write a good commit message for them and commit." });
    expect(json.run.prompt).toBe(sent.messages[1].content);

    const usage = (await call(server, 'GET', '/api/providers/consumption')).json;
    expect(JSON.stringify(usage)).toContain('gpt-test');
  });

  it('falls back to a generic prompt when the skill has no sample prompt', async () => {
    writeSkill(join(server.home, 'skills', 'no-sample'), 'name: no-sample\ndescription: Has no sample prompt.', 'Always answer in haiku.\n');
    openai.script([{ text: ['ok'] }]);
    const { json } = await test({ name: 'no-sample' });
    expect(json.validation.warnings.map((w: any) => w.path)).toContain('metadata.atelier-sample-prompt');
    const sent = openai.chatRequests().at(-1)!.body;
    expect(sent.messages[0].content).toContain('Always answer in haiku.');
    expect(sent.messages[1].content).toMatch(/^Show how you would apply this skill/);
  });

  it("passes a provider failure on with the provider's error code", async () => {
    openai.script([{ status: 401, error_message: 'bad key' }]);
    const { status, json } = await test({ name: 'commit-message' });
    expect(status).toBe(502);
    expect(json.code).toBe('PROVIDER_UNAUTHORIZED');
    expect(json.error).toMatch(/bad key/);
    expect((await test({ name: 'commit-message', provider: 'nope' })).json.code).toBe('UNKNOWN_PROVIDER');
    expect((await test({ name: 'nope' })).status).toBe(404);
  });
});
