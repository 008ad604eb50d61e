import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatRoutes } from '../../server/src/wire/routes/chat.js';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readSse } from '../helpers/sse.js';
import { tempDir } from '../helpers/temp.js';

let server: TestServer;
let openai: ProviderStandin;
let anthropic: ProviderStandin;
const scratch = tempDir();

const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

beforeAll(async () => {
  server = await startTestServer();
  openai = await startProviderStandin({ apiKey: 'sk-openai', models: ['gpt-test'] });
  anthropic = await startProviderStandin({ apiKey: 'sk-anthropic' });
  const put = (body: unknown) => server.fetch('/api/config/provider', { method: 'PUT', body: JSON.stringify(body) });
  expect((await put({ id: 'oai', name: 'OpenAI stand-in', type: 'openai', base_url: openai.openaiBase, api_key: 'sk-openai', model: 'gpt-test', models: ['gpt-test'] })).status).toBe(200);
  expect((await put({ id: 'ant', name: 'Anthropic stand-in', type: 'anthropic', base_url: anthropic.anthropicBase, api_key: 'sk-anthropic', model: 'claude-test' })).status).toBe(200);
  expect((await server.fetch('/api/config/profile', { method: 'PUT', body: JSON.stringify({ active_provider: 'oai', active_model: 'gpt-test' }) })).status).toBe(200);
  // These tests are about the loop, not the permission system (test/permissions/ covers it):
  // trusted mode lets every call through, and shows the sudo guard still refuses there.
  expect((await server.fetch('/api/permissions', { method: 'PUT', body: JSON.stringify({ mode: 'trusted' }) })).status).toBe(200);
});
afterAll(async () => {
  await server.close();
  await openai.close();
  await anthropic.close();
  scratch.remove();
});
beforeEach(async () => {
  await server.fetch('/api/chat/clear', { method: 'POST', body: '{}' });
});

function chat(body: Record<string, unknown>, init: RequestInit = {}): Promise<Response> {
  return server.fetch('/api/chat', { method: 'POST', body: JSON.stringify(body), ...init });
}

describe('POST /api/chat', () => {
  it('streams the answer as content events in order, then done', async () => {
    openai.script([{ text: ['Hel', 'lo', ' there'], usage: { input_tokens: 12, output_tokens: 3 } }]);
    const res = await chat({ message: 'hi', stream: true });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = await readSse(res);
    expect(events[0]).toEqual({ conversation_id: expect.any(String) });
    expect(events.filter((e) => 'content' in e).map((e) => e.content)).toEqual(['Hel', 'lo', ' there']);
    expect(events.at(-2)).toEqual({ usage: { input_tokens: 12, output_tokens: 3 } });
    expect(events.at(-1)).toEqual({ done: 'true' });
  });

  it('answers JSON without stream, and continues the same conversation', async () => {
    openai.script([{ text: ['first'] }, { text: ['second'] }]);
    const one = await (await chat({ message: 'one' })).json();
    expect(one).toMatchObject({ answer: 'first', conversation_id: expect.any(String), iterations: 1 });
    const two = await (await chat({ message: 'two', conversation_id: one.conversation_id })).json();
    expect(two.conversation_id).toBe(one.conversation_id);
    const sent = openai.chatRequests().at(-1)!.body.messages.map((m: { role: string; content: string }) => [m.role, m.content]);
    expect(sent).toEqual(expect.arrayContaining([['user', 'one'], ['assistant', 'first'], ['user', 'two']]));
  });

  it('relays thinking, then thinking_end, before the answer', async () => {
    openai.script([{ thinking: ['let me ', 'think'], text: ['42'] }]);
    const events = await readSse(await chat({ message: 'q', stream: true }));
    const kinds = events.map((e) => Object.keys(e)[0]);
    expect(kinds.indexOf('thinking')).toBeLessThan(kinds.indexOf('thinking_end'));
    expect(kinds.indexOf('thinking_end')).toBeLessThan(kinds.indexOf('content'));
  });

  it('runs a tool the model calls and feeds the result back (OpenAI, arguments split mid-JSON)', async () => {
    openai.script([{ tool_calls: [{ id: 'call_1', name: 'terminal', args: { command: 'echo hi-from-$((40+2))' } }] }, { text: ['The command printed hi-from-42.'] }]);
    const events = await readSse(await chat({ message: 'run it', stream: true }));
    expect(events).toContainEqual({ tool_call: { tool_call_id: 'call_1', name: 'terminal', args: { command: 'echo hi-from-$((40+2))' } } });
    const result = events.find((e) => 'tool_result' in e).tool_result;
    expect(result).toMatchObject({ tool_call_id: 'call_1', is_error: false });
    expect(result.content).toContain('hi-from-42');
    const second = openai.chatRequests().at(-1)!.body.messages;
    expect(second.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1' });
    expect(second.at(-1).content).toContain('hi-from-42');
  });

  it('runs the loop with Anthropic too (input_json_delta tool arguments)', async () => {
    anthropic.script([{ tool_calls: [{ id: 'toolu_1', name: 'list_dir', args: { path: homedir() } }] }, { text: ['Listed.'] }]);
    const events = await readSse(await chat({ message: 'list', provider: 'ant', stream: true }));
    expect(events.find((e) => 'tool_result' in e).tool_result).toMatchObject({ tool_call_id: 'toolu_1', is_error: false });
    expect(events.filter((e) => 'content' in e).map((e) => e.content).join('')).toBe('Listed.');
  });

  it('blocks a sudo command, runs nothing, and says so in the tool result', async () => {
    const marker = join(scratch.dir, 'sudo-ran');
    openai.script([{ tool_calls: [{ name: 'terminal', args: { command: `touch ${marker} | sudo tee /etc/x` } }] }, { text: ['ok'] }]);
    const events = await readSse(await chat({ message: 'sudo please', stream: true }));
    expect(events.find((e) => 'tool_result' in e).tool_result).toMatchObject({ is_error: true, sudo_blocked: true });
    expect(existsSync(marker)).toBe(false);
  });

  it('answers arguments that fail the tool schema with an error result naming the field', async () => {
    openai.script([{ tool_calls: [{ name: 'terminal', args: { command: 'echo x', timeout: 301 } }] }, { text: ['sorry'] }]);
    const events = await readSse(await chat({ message: 'x', stream: true }));
    const result = events.find((e) => 'tool_result' in e).tool_result;
    expect(result.is_error).toBe(true);
    expect(result.content).toMatch(/timeout/);
  });

  it('stops after 15 model turns with an error event that says so, then done', async () => {
    openai.script(Array.from({ length: 16 }, (_, i) => ({ tool_calls: [{ id: `c${i}`, name: 'list_dir', args: { path: scratch.dir } }] })));
    const before = openai.chatRequests().length;
    const events = await readSse(await chat({ message: 'loop forever', stream: true }));
    expect(openai.chatRequests().length - before).toBe(15);
    expect(events.at(-1)).toEqual({ done: 'true' });
    expect(events.find((e) => 'error' in e)).toEqual({ error: expect.stringMatching(/15/), code: 'TOOL_LOOP_LIMIT' });
    // The next message still works: the unanswered calls are left out of the history.
    openai.script([{ text: ['fine'] }]);
    expect((await (await chat({ message: 'after' })).json()).answer).toBe('fine');
  });

  it('adds a second, marked pass with advanced_reflection', async () => {
    openai.script([{ text: ['draft'] }, { text: ['better'] }]);
    const events = await readSse(await chat({ message: 'q', stream: true, advanced_reflection: true }));
    const start = events.findIndex((e) => 'reflection_start' in e);
    expect(start).toBeGreaterThan(-1);
    expect(events.slice(start).filter((e) => 'content' in e)).toEqual([{ content: 'better', reflection: true }]);
    expect(openai.chatRequests().at(-1)!.body.messages.at(-2)).toMatchObject({ role: 'assistant', content: 'draft' });
    // Stored with the flag, so a reloaded transcript shows the revised answer as such.
    const answers = (await (await server.fetch('/api/chat/history')).json()).messages.filter((m: { role: string }) => m.role === 'assistant');
    expect(answers.map((m: { content: string; reflection: boolean }) => [m.content, m.reflection])).toEqual([
      ['draft', false],
      ['better', true],
    ]);
  });

  it('runs advanced reflection after an Anthropic tool call (the pass defines the tools and forbids calling them)', async () => {
    anthropic.script([{ tool_calls: [{ id: 'toolu_r1', name: 'list_dir', args: { path: scratch.dir } }] }, { text: ['draft'] }, { text: ['better'] }]);
    const events = await readSse(await chat({ message: 'list then reflect', provider: 'ant', stream: true, advanced_reflection: true }));
    expect(events.filter((e) => 'error' in e)).toEqual([]);
    expect(events.filter((e) => 'content' in e && e.reflection)).toEqual([{ content: 'better', reflection: true }]);
    const reflection = anthropic.chatRequests().at(-1)!.body;
    expect(reflection.tools.map((t: { name: string }) => t.name)).toContain('list_dir');
    expect(reflection.tool_choice).toEqual({ type: 'none' });
  });

  it('sends an attached image to the model and stores it', async () => {
    openai.script([{ text: ['a pixel'] }]);
    const res = await chat({ message: 'what is this', images: [{ mime: 'image/png', data: PNG_1PX }] });
    expect(res.status).toBe(200);
    const user = openai.chatRequests().at(-1)!.body.messages.at(-1);
    expect(JSON.stringify(user.content)).toContain(PNG_1PX);
    const history = await (await server.fetch('/api/chat/history')).json();
    const image = history.messages.find((m: { role: string }) => m.role === 'user').images[0];
    const served = await server.fetch(image.url);
    expect(served.headers.get('content-type')).toBe('image/png');
  });

  it('keeps the turn for chat.detach_grace_s after the client leaves, then aborts the provider request', async () => {
    expect((await server.fetch('/api/config/chat', { method: 'PUT', body: JSON.stringify({ detach_grace_s: 1 }) })).status).toBe(200);
    openai.script([{ text: ['slow', 'slower', 'slowest'], delay_ms: 4000 }]);
    const abort = new AbortController();
    const before = openai.chatRequests().length;
    const res = await chat({ message: 'slow', stream: true }, { signal: abort.signal });
    await res.body!.getReader().read();
    while (openai.chatRequests().length === before) await new Promise((r) => setTimeout(r, 10));
    const request = openai.chatRequests().at(-1)!;
    let closedAt = 0;
    void request.closed.then(() => (closedAt = Date.now()));
    const leftAt = Date.now();
    abort.abort();
    expect(await request.closed).toBe(true);
    // Not at the first disconnect: after the grace second (and well before the 4 s answer).
    expect(closedAt - leftAt).toBeGreaterThanOrEqual(900);
    expect(closedAt - leftAt).toBeLessThan(3000);
  });

  it('Stop kills a running tool with its process group at once', async () => {
    expect((await server.fetch('/api/config/chat', { method: 'PUT', body: JSON.stringify({ detach_grace_s: 60 }) })).status).toBe(200);
    const pidFile = join(homedir(), `.atelier-test-tool-pid-${process.pid}`);
    openai.script([{ tool_calls: [{ name: 'terminal', args: { command: `sh -c 'echo $$ > ${pidFile}; exec sleep 30'` } }] }, { text: ['never'] }]);
    const res = await chat({ message: 'sleep', stream: true });
    const events = readSse(res);
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    rmSync(pidFile);
    const history = await (await server.fetch('/api/chat/history')).json();
    expect(history.running).toBe(true);
    const stop = await server.fetch('/api/chat/stop', { method: 'POST', body: JSON.stringify({ conversation_id: history.conversation.id }) });
    expect(await stop.json()).toEqual({ conversation_id: history.conversation.id, stopped: true });
    const seen = await events;
    expect(seen.at(-1)).toEqual({ done: 'true' });
    // A stop is not a failure: it has its own code, and says so plainly.
    expect(seen.filter((e) => 'error' in e)).toEqual([{ error: 'The turn was stopped: stopped by the user', code: 'TURN_STOPPED' }]);
    for (let i = 0; i < 40; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        expect((await (await server.fetch('/api/chat/history')).json()).running).toBe(false);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`tool process ${pid} still runs after Stop`);
  });
});

describe('POST /api/chat with recorded Anthropic streams (../shared/provider-streams)', () => {
  let recorded: ProviderStandin;
  const streams = join(import.meta.dirname, '../../../shared/provider-streams');
  beforeAll(async () => {
    recorded = await startProviderStandin();
    const put = { id: 'rec', name: 'Recorded streams', type: 'anthropic', base_url: recorded.anthropicBase, api_key: 'sk-recorded', model: 'claude-recorded' };
    expect((await server.fetch('/api/config/provider', { method: 'PUT', body: JSON.stringify(put) })).status).toBe(200);
  });
  afterAll(() => recorded.close());

  /** Answers the next chat request with the recorded stream `name` (third-party bytes, read in place). */
  function replay(name: string): void {
    recorded.route('POST', '/v1/messages', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(readFileSync(join(streams, `${name}.sse`)));
    });
  }

  it('says the reply was cut when max_tokens ends it inside a tool call, keeps the text and runs nothing', async () => {
    replay('17-anthropic-maxtokens-partial-tool');
    const events = await readSse(await chat({ message: 'write my tax guide', provider: 'rec', stream: true }));
    expect(events.some((e) => 'tool_result' in e)).toBe(false);
    expect(events.find((e) => 'error' in e)).toEqual({ error: expect.stringMatching(/cut.*max_tokens.*tool call/), code: 'REPLY_CUT' });
    const text = events.filter((e) => 'content' in e).map((e) => e.content).join('');
    expect(text).toMatch(/^I'll create a comprehensive tax guide/);
    const answers = (await (await server.fetch('/api/chat/history')).json()).messages.filter((m: { role: string }) => m.role === 'assistant');
    expect(answers.map((m: { content: string }) => m.content)).toEqual([text]);
  });

  it('records the usage seen before an overloaded_error mid-stream', async () => {
    const totals = async () => {
      const { totals: rows } = await (await server.fetch('/api/providers/consumption?period=day')).json();
      return rows.find((r: { provider_id: string }) => r.provider_id === 'rec') ?? { input_tokens: 0, output_tokens: 0 };
    };
    const before = await totals();
    replay('19-anthropic-overloaded-midstream');
    const events = await readSse(await chat({ message: 'hello', provider: 'rec', stream: true }));
    expect(events.find((e) => 'error' in e)).toEqual({ error: expect.stringMatching(/overloaded_error: Overloaded/), code: expect.stringMatching(/^PROVIDER_/) });
    const after = await totals();
    expect([after.input_tokens - before.input_tokens, after.output_tokens - before.output_tokens]).toEqual([17, 1]);
  });
});

describe('POST /api/chat/summarize', () => {
  it('summarizes a conversation with the provider asked for and stores the summary', async () => {
    openai.script([{ text: ['Paris.'] }]);
    const { conversation_id } = await (await chat({ message: 'Capital of France?' })).json();
    anthropic.script([{ text: ['Asked for the capital of France; answered Paris.'] }]);
    const before = anthropic.chatRequests().length;
    const res = await server.fetch('/api/chat/summarize', { method: 'POST', body: JSON.stringify({ conversation_id, provider: 'ant' }) });
    const answer = await res.json();
    // The contract's answer (SummarizeResponseSchema), nothing more: the studio reads `summary` from it.
    expect(Object.keys(chatRoutes.summarize.response.shape)).toEqual(['conversation_id', 'summary']);
    expect(answer).toEqual({ conversation_id, summary: 'Asked for the capital of France; answered Paris.' });
    expect(anthropic.chatRequests().length).toBe(before + 1);
    expect(JSON.stringify(anthropic.chatRequests().at(-1)!.body.messages)).toContain('Capital of France?');
    const list = await (await server.fetch('/api/conversations')).json();
    expect(list.find((c: { id: string }) => c.id === conversation_id).summary).toBe('Asked for the capital of France; answered Paris.');
  });

  it('aborts the provider request when the client disconnects', async () => {
    openai.script([{ text: ['Paris.'] }]);
    const { conversation_id } = await (await chat({ message: 'Capital of France?' })).json();
    anthropic.script([{ hang: 'headers' }]);
    const before = anthropic.chatRequests().length;
    const client = new AbortController();
    const sent = server.fetch('/api/chat/summarize', { method: 'POST', body: JSON.stringify({ conversation_id, provider: 'ant' }), signal: client.signal }).catch((err: unknown) => err);
    for (let i = 0; i < 100 && anthropic.chatRequests().length === before; i++) await new Promise((r) => setTimeout(r, 20));
    const upstream = anthropic.chatRequests().at(-1)!;
    expect(anthropic.chatRequests().length).toBe(before + 1);
    client.abort();
    await sent;
    const closedEarly = await Promise.race([upstream.closed, new Promise((r) => setTimeout(() => r('still open'), 3000))]);
    expect(closedEarly).toBe(true);
  });

  it('answers 404 when there is no conversation to summarize', async () => {
    const res = await server.fetch('/api/chat/summarize', { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
  });
});

describe('POST /api/chat bad input', () => {
  it('refuses a body over 50 MB with 413', async () => {
    const res = await chat({ message: 'x'.repeat(50 * 1024 * 1024 + 10) });
    expect(res.status).toBe(413);
  });

  it('refuses 4 images and stores nothing', async () => {
    const before = (await (await server.fetch('/api/chat/history')).json()).messages.length;
    const res = await chat({ message: 'imgs', images: Array.from({ length: 4 }, () => ({ mime: 'image/png', data: PNG_1PX })) });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('TOO_MANY_IMAGES');
    const history = await (await server.fetch('/api/chat/history')).json();
    expect(history.messages.length).toBe(before);
    // No conversation was opened (or made current) for the refused message.
    expect(history.conversation).toBeNull();
  });

  it('refuses an image over 10 MB', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0);
    Buffer.from(PNG_1PX, 'base64').copy(big);
    const res = await chat({ message: 'big', images: [{ mime: 'image/png', data: big.toString('base64') }] });
    expect(res.status).toBe(413);
    expect((await res.json()).code).toBe('IMAGE_TOO_LARGE');
  });

  it('refuses text labelled image/png', async () => {
    const res = await chat({ message: 'fake', images: [{ mime: 'image/png', data: Buffer.from('hello, not a png').toString('base64') }] });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('BAD_IMAGE');
  });

  it('refuses an unknown provider and a model the provider does not list', async () => {
    expect((await (await chat({ message: 'x', provider: 'nope' })).json()).code).toBe('UNKNOWN_PROVIDER');
    expect((await (await chat({ message: 'x', model: 'gpt-unknown' })).json()).code).toBe('UNKNOWN_MODEL');
  });

  it.each([
    [401, 'PROVIDER_UNAUTHORIZED'],
    [429, 'PROVIDER_RATE_LIMITED'],
    [500, 'PROVIDER_ERROR'],
  ])('reports a provider answering %s as %s', async (status, code) => {
    openai.script([{ status, error_message: `upstream ${status}`, retry_after: '7' }]);
    const res = await chat({ message: 'x' });
    expect((await res.json()).code).toBe(code);
    openai.script([{ status }]);
    const events = await readSse(await chat({ message: 'x', stream: true }));
    // The provider's refusal keeps its message and code in the stream too.
    expect(events.find((e) => 'error' in e)).toMatchObject({ error: expect.any(String), code });
    expect(events.at(-1)).toEqual({ done: 'true' });
  });

  it('reports malformed SSE from the provider', async () => {
    openai.script([{ malformed: 'not_json' }]);
    expect((await (await chat({ message: 'x' })).json()).code).toBe('PROVIDER_BAD_STREAM');
  });
});
