import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { KEY } from './fixtures.js';

let server: TestServer;
let standin: ProviderStandin;
beforeAll(async () => {
  [server, standin] = await Promise.all([startTestServer(), startProviderStandin({ apiKey: KEY })]);
});
afterAll(async () => {
  await Promise.all([server.close(), standin.close()]);
});
beforeEach(() => {
  standin.requests.length = 0;
});

const post = (path: string, body: unknown = {}) => server.fetch(path, { method: 'POST', body: JSON.stringify(body) });
const put = (path: string, body: unknown) => server.fetch(path, { method: 'PUT', body: JSON.stringify(body) });

async function addProvider(p: { id: string; type: string; base_url: string; api_key?: string; model?: string; models?: string[] }): Promise<void> {
  const res = await put('/api/config/provider', { name: p.id, api_key: KEY, model: 'standin-small', ...p });
  expect(res.status, await res.clone().text()).toBe(200);
}

describe('GET /api/providers/catalog', () => {
  it('offers every provider type with its usual endpoint and whether its quota can be read', async () => {
    const kinds = (await (await server.fetch('/api/providers/catalog')).json()) as { type: string; base_url: string; quota: boolean; label: string }[];
    expect(kinds.map((k) => k.type).sort()).toEqual(['anthropic', 'mimo', 'minimax', 'ollama', 'openai', 'openrouter', 'zai']);
    for (const kind of kinds) expect(kind.base_url, kind.type).toMatch(/^https?:\/\//);
    expect(kinds.find((k) => k.type === 'zai')?.quota).toBe(true);
    expect(kinds.find((k) => k.type === 'mimo')?.quota).toBe(false);
  });
});

describe('POST /api/providers/validate', () => {
  beforeAll(async () => {
    await addProvider({ id: 'oa', type: 'openai', base_url: standin.openaiBase });
    await addProvider({ id: 'an', type: 'anthropic', base_url: standin.anthropicBase });
  });

  it('accepts a saved provider whose key works and lists its models, with the latency', async () => {
    const res = await post('/api/providers/validate', { provider_id: 'oa' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ ok: true, latency_ms: expect.any(Number), models: ['standin-small', 'standin-large'] });
    expect(standin.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
  });

  it('answers ok:false with PROVIDER_UNAUTHORIZED (not an HTTP error) for a refused key', async () => {
    const res = await post('/api/providers/validate', { type: 'openai', base_url: standin.openaiBase, api_key: 'sk-bad-000000' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ ok: false, code: 'PROVIDER_UNAUTHORIZED' });
    expect(body.error).not.toContain('sk-bad-000000');
  });

  it('keeps the stored key when a provider being edited sends api_key "***"', async () => {
    const body = await (await post('/api/providers/validate', { provider_id: 'oa', api_key: '***', base_url: standin.openaiBase })).json();
    expect(body.ok).toBe(true);
    expect(standin.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('tests an Anthropic key with a one-token messages call', async () => {
    standin.script([{ text: ['p'] }]);
    const body = await (await post('/api/providers/validate', { provider_id: 'an' })).json();
    expect(body).toMatchObject({ ok: true });
    expect(standin.chatRequests()[0]!.body).toMatchObject({ max_tokens: 1, stream: false, model: 'standin-small' });
  });

  it('reports a provider it cannot reach as ok:false with PROVIDER_UNREACHABLE', async () => {
    const body = await (await post('/api/providers/validate', { type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'k-1234' })).json();
    expect(body.ok).toBe(false);
    expect(body.code).toBe('PROVIDER_UNREACHABLE');
  });

  it('falls back to a one-token completion when the server has no model list', async () => {
    standin.route('GET', '/nolist/v1/models', { status: 404, json: { error: { message: 'Not found', type: 'invalid_request_error' } } });
    standin.script([{ text: ['p'] }]);
    const body = await (await post('/api/providers/validate', { type: 'zai', base_url: `${standin.url}/nolist/v1`, api_key: KEY, model: 'glm-4.6' })).json();
    expect(body).toEqual({ ok: true, latency_ms: expect.any(Number) });
    expect(standin.chatRequests()[0]).toMatchObject({ path: '/nolist/v1/chat/completions', body: { model: 'glm-4.6', max_tokens: 1 } });
  });

  it('refuses a body naming neither a provider nor a type and URL', async () => {
    const res = await post('/api/providers/validate', { api_key: 'x' });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('VALIDATION_FAILED');
  });

  it('refuses an unknown provider id', async () => {
    const res = await post('/api/providers/validate', { provider_id: 'ghost' });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('UNKNOWN_PROVIDER');
  });

  it('refuses "***" without a saved provider to take the key from', async () => {
    const res = await post('/api/providers/validate', { type: 'openai', base_url: standin.openaiBase, api_key: '***' });
    expect(res.status).toBe(400);
  });
});

describe('POST /api/providers/:id/verify', () => {
  beforeAll(async () => {
    await addProvider({ id: 'vf', type: 'openai', base_url: standin.openaiBase, models: ['standin-small', 'standin-large'] });
  });

  it('runs text, tool-call and streaming probes, each with its latency, and records their tokens', async () => {
    standin.script([
      { text: ['pong'], usage: { input_tokens: 5, output_tokens: 1 } },
      { tool_calls: [{ name: 'get_weather', args: { city: 'Paris' } }], usage: { input_tokens: 50, output_tokens: 10 } },
      { text: ['1 ', '2 ', '3'], usage: { input_tokens: 7, output_tokens: 6 } },
    ]);
    const res = await post('/api/providers/vf/verify');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ provider_id: 'vf', model: 'standin-small', ok: true });
    for (const name of ['text', 'tool_call', 'streaming']) expect(body.probes[name]).toEqual({ ok: true, latency_ms: expect.any(Number), detail: expect.any(String) });
    expect(body.probes.tool_call.detail).toBe('called get_weather({"city":"Paris"})');
    expect(body.probes.streaming.detail).toMatch(/^3 text chunks/);
    const sent = standin.chatRequests().map((r) => r.body);
    expect(sent.map((b) => b.stream)).toEqual([false, true, true]);
    expect(sent[1].tools[0].function.name).toBe('get_weather');

    const consumption = await (await server.fetch('/api/providers/consumption')).json();
    expect(consumption.totals).toContainEqual({ provider_id: 'vf', model: 'standin-small', input_tokens: 62, output_tokens: 17, total_tokens: 79, calls: 3 });
  });

  it('fails the tool-call probe, and the whole run, when the model answers with text instead', async () => {
    standin.script([{ text: ['pong'] }, { text: ['It is sunny.'] }, { text: ['1', '2'] }]);
    const body = await (await post('/api/providers/vf/verify', { model: 'standin-large' })).json();
    expect(body.ok).toBe(false);
    expect(body.probes.text.ok).toBe(true);
    expect(body.probes.tool_call).toMatchObject({ ok: false, detail: expect.stringContaining('instead of calling the tool') });
  });

  it('reports each probe failure with its code', async () => {
    standin.script([{ status: 401 }, { status: 429, retry_after: '3' }, { status: 500 }]);
    const body = await (await post('/api/providers/vf/verify')).json();
    expect([body.probes.text.code, body.probes.tool_call.code, body.probes.streaming.code]).toEqual(['PROVIDER_UNAUTHORIZED', 'PROVIDER_RATE_LIMITED', 'PROVIDER_ERROR']);
  });

  it('answers 404 UNKNOWN_PROVIDER for an id that is not configured', async () => {
    const res = await post('/api/providers/nobody/verify');
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe('UNKNOWN_PROVIDER');
  });

  it('answers 400 UNKNOWN_MODEL for a model the provider does not list', async () => {
    const res = await post('/api/providers/vf/verify', { model: 'gpt-imaginary' });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('UNKNOWN_MODEL');
    expect(standin.requests).toHaveLength(0);
  });
});

describe('GET /api/providers/quota', () => {
  const endTime = Date.UTC(2030, 0, 1, 15, 0, 0);
  beforeAll(async () => {
    await addProvider({ id: 'mm', type: 'minimax', base_url: standin.openaiBase });
    await addProvider({ id: 'zz', type: 'zai', base_url: `${standin.url}/api/paas/v4` });
    await addProvider({ id: 'mi', type: 'mimo', base_url: standin.openaiBase });
    await addProvider({ id: 'lo', type: 'ollama', base_url: standin.openaiBase, api_key: '' });
    standin.route('GET', '/v1/api/openplatform/coding_plan/remains', {
      json: {
        model_remains: [
          { model_name: 'speech-hd', current_interval_total_count: 0, current_interval_usage_count: 0, end_time: endTime },
          {
            model_name: 'MiniMax-M2',
            start_time: endTime - 5 * 3600_000,
            end_time: endTime,
            remains_time: 3600_000,
            current_interval_total_count: 1500,
            current_interval_usage_count: 1200,
            current_weekly_total_count: 15000,
            current_weekly_usage_count: 9000,
            weekly_end_time: endTime + 86_400_000,
          },
        ],
        base_resp: { status_code: 0, status_msg: 'success' },
      },
    });
    standin.route('GET', '/api/monitor/usage/quota/limit', {
      json: {
        code: 200,
        msg: 'Operation successful',
        success: true,
        data: {
          level: 'pro',
          limits: [
            { type: 'TIME_LIMIT', unit: 5, number: 1, usage: 1000, currentValue: 120, remaining: 880, percentage: 12 },
            { type: 'TOKENS_LIMIT', unit: 3, number: 5, percentage: 37, nextResetTime: endTime },
          ],
        },
      },
    });
  });

  const quota = async () => (await (await server.fetch('/api/providers/quota')).json()) as Record<string, unknown>[];
  const of = (all: Record<string, unknown>[], id: string) => all.find((q) => q.provider_id === id);

  it('reads MiniMax remains, where *_usage_count is what remains', async () => {
    expect(of(await quota(), 'mm')).toMatchObject({
      supported: true,
      unit: 'requests',
      remaining: 1200,
      limit: 1500,
      used_percent: 20,
      reset_at: '2030-01-01T15:00:00.000Z',
      windows: [expect.objectContaining({ name: 'MiniMax-M2 (5 h)' }), expect.objectContaining({ name: 'MiniMax-M2 (week)', remaining: 9000, limit: 15000 })],
    });
    expect(standin.requests.find((r) => r.path.endsWith('/remains'))!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('reads Z.AI quota limits with the bare key in Authorization, the token window first', async () => {
    const zz = of(await quota(), 'zz');
    expect(zz).toMatchObject({ supported: true, unit: 'percent', remaining: 63, limit: 100, used_percent: 37, reset_at: '2030-01-01T15:00:00.000Z' });
    expect((zz!.windows as unknown[])[1]).toMatchObject({ name: 'tool calls (1 month)', unit: 'calls', limit: 1000, remaining: 880 });
    expect(standin.requests.find((r) => r.path === '/api/monitor/usage/quota/limit')!.headers.authorization).toBe(KEY);
  });

  it('answers unsupported for vendors without a quota API', async () => {
    const all = await quota();
    expect(of(all, 'mi')).toEqual({ provider_id: 'mi', type: 'mimo', supported: false });
    expect(of(all, 'lo')).toEqual({ provider_id: 'lo', type: 'ollama', supported: false });
  });

  it('reports a vendor-level refusal as an error on the entry, not as a failed request', async () => {
    standin.route('GET', '/v1/api/openplatform/coding_plan/remains', { json: { base_resp: { status_code: 1004, status_msg: 'login fail: Please carry the API secret key' } } });
    const mm = of(await quota(), 'mm');
    expect(mm).toMatchObject({ supported: true, code: 'PROVIDER_UNAUTHORIZED', error: expect.stringContaining('login fail') });
  });

  it('reads the credit limit of an OpenRouter key', async () => {
    await addProvider({ id: 'or', type: 'openrouter', base_url: `${standin.url}/api/v1` });
    standin.route('GET', '/api/v1/key', { json: { data: { label: 'sk-or-v1-abc...def', limit: 20, limit_remaining: 15, limit_reset: 'monthly', usage: 5, is_free_tier: false } } });
    const res = await server.fetch('/api/providers/quota?provider_id=or');
    expect(await res.json()).toEqual([
      {
        provider_id: 'or',
        type: 'openrouter',
        supported: true,
        unit: 'usd',
        remaining: 15,
        limit: 20,
        used_percent: 25,
        windows: [{ name: 'credits (resets monthly)', unit: 'usd', limit: 20, remaining: 15, used_percent: 25 }],
      },
    ]);
  });

  it('can be asked for one provider', async () => {
    const res = await server.fetch('/api/providers/quota?provider_id=mi');
    expect(await res.json()).toEqual([{ provider_id: 'mi', type: 'mimo', supported: false }]);
  });
});

describe('OpenAPI', () => {
  it('documents the provider routes from their schemas', async () => {
    const doc = await (await server.fetch('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/providers/validate', '/api/providers/quota', '/api/providers/consumption', '/api/providers/{id}/verify']));
    expect(doc.paths['/api/providers/consumption'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['period', 'buckets']);
  });
});

describe('GET /api/providers/consumption', () => {
  it('answers the last 30 days by default, oldest first, the empty ones included', async () => {
    const body = await (await server.fetch('/api/providers/consumption')).json();
    expect(body.period).toBe('day');
    expect(body.buckets).toHaveLength(30);
    expect(body.buckets.at(-1).start).toBe(new Date().toISOString().slice(0, 10));
  });

  it('groups by week or month when asked, for the number of buckets asked', async () => {
    const weeks = await (await server.fetch('/api/providers/consumption?period=week&buckets=4')).json();
    expect(weeks.buckets).toHaveLength(4);
    expect(new Date(`${weeks.buckets[0].start}T00:00:00Z`).getUTCDay()).toBe(1);
    const months = await (await server.fetch('/api/providers/consumption?period=month&buckets=2')).json();
    expect(months.buckets.map((b: { start: string }) => b.start.slice(8))).toEqual(['01', '01']);
  });

  it.each(['period=year', 'buckets=0', 'buckets=1000', 'buckets=abc', 'since=1'])('refuses the query %s', async (query) => {
    const res = await server.fetch(`/api/providers/consumption?${query}`);
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('VALIDATION_FAILED');
  });
});
