import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completeChat, streamChat } from '../../server/src/providers/index.js';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import { collect, joined, KEY, standinProvider } from './fixtures.js';

let standin: ProviderStandin;
beforeAll(async () => {
  standin = await startProviderStandin({ apiKey: KEY });
});
afterAll(() => standin.close());
beforeEach(() => {
  standin.requests.length = 0;
});

const provider = () => standinProvider(standin, 'anthropic');
const hello = [{ role: 'user' as const, content: 'Hello' }];

describe('Anthropic messages adapter', () => {
  it('streams text_delta events, then usage from message_start and message_delta, then done', async () => {
    standin.script([{ text: ['Bon', 'jour'], usage: { input_tokens: 25, output_tokens: 15 } }]);
    const events = await collect(streamChat({ provider: provider(), model: 'standin-small', messages: hello }));
    expect(events).toEqual([
      { type: 'text', text: 'Bon' },
      { type: 'text', text: 'jour' },
      { type: 'usage', input_tokens: 25, output_tokens: 15 },
      { type: 'done', stop_reason: 'end_turn', raw_stop_reason: 'end_turn' },
    ]);
  });

  it('posts to /v1/messages with x-api-key, anthropic-version and a max_tokens', async () => {
    standin.script([{ text: ['ok'] }]);
    await collect(streamChat({ provider: provider(), model: 'standin-small', messages: hello }));
    const [req] = standin.chatRequests();
    expect(req!.path).toBe('/v1/messages');
    expect(req!.headers['x-api-key']).toBe(KEY);
    expect(req!.headers['anthropic-version']).toBe('2023-06-01');
    expect(req!.headers.authorization).toBeUndefined();
    expect(req!.body).toMatchObject({ model: 'standin-small', stream: true, max_tokens: expect.any(Number) });
  });

  it('maps a thinking block to thinking events and closes it with its signature', async () => {
    standin.script([{ thinking: ['First, ', 'consider.'], text: ['Done.'] }]);
    const events = await collect(streamChat({ provider: provider(), model: 'standin-small', messages: hello }));
    expect(events.map((e) => e.type)).toEqual(['thinking', 'thinking', 'thinking_end', 'text', 'usage', 'done']);
    expect(joined(events, 'thinking')).toBe('First, consider.');
    expect(events[2]).toEqual({ type: 'thinking_end', signature: expect.stringMatching(/^Eq/) });
  });

  it('assembles input_json_delta pieces cut mid-JSON into the tool call when its block stops', async () => {
    const args = { command: 'ls -la "my dir"', timeout: 30 };
    standin.script([{ text: ['Let me look.'], tool_calls: [{ id: 'toolu_01', name: 'terminal', args, piece_chars: 4 }] }]);
    const events = await collect(streamChat({ provider: provider(), model: 'standin-small', messages: hello }));
    expect(events.find((e) => e.type === 'tool_call')).toEqual({ type: 'tool_call', id: 'toolu_01', name: 'terminal', args });
    expect(events.at(-1)).toEqual({ type: 'done', stop_reason: 'tool_use', raw_stop_reason: 'tool_use' });
  });

  it('sends system apart, images as base64 sources, and tool results inside one user turn', async () => {
    standin.script([{ text: ['fine'] }]);
    await collect(
      streamChat({
        provider: provider(),
        model: 'standin-small',
        tools: [{ name: 'list_dir', description: 'List a directory', parameters: { type: 'object', properties: { path: { type: 'string' } } } }],
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Look', images: [{ mime: 'image/jpeg', data: '/9j/4AAQ' }] },
          { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_a', name: 'list_dir', args: { path: '.' } }, { id: 'toolu_b', name: 'list_dir', args: { path: '/tmp' } }] },
          { role: 'tool', tool_call_id: 'toolu_a', name: 'list_dir', content: 'a.txt' },
          { role: 'tool', tool_call_id: 'toolu_b', name: 'list_dir', content: 'denied', is_error: true },
          { role: 'user', content: 'And?' },
        ],
      }),
    );
    const body = standin.chatRequests()[0]!.body;
    expect(body.system).toBe('You are terse.');
    expect(body.tools).toEqual([{ name: 'list_dir', description: 'List a directory', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }]);
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } }, { type: 'text', text: 'Look' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_a', name: 'list_dir', input: { path: '.' } },
          { type: 'tool_use', id: 'toolu_b', name: 'list_dir', input: { path: '/tmp' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_a', content: 'a.txt' },
          { type: 'tool_result', tool_use_id: 'toolu_b', content: 'denied', is_error: true },
          { type: 'text', text: 'And?' },
        ],
      },
    ]);
  });

  it('completes a turn without streaming', async () => {
    standin.script([{ thinking: ['hm'], text: ['pong'], tool_calls: [{ id: 'toolu_z', name: 'echo', args: { v: 1 } }], usage: { input_tokens: 9, output_tokens: 4 } }]);
    const answer = await completeChat({ provider: provider(), model: 'standin-small', messages: hello });
    expect(answer).toEqual({
      text: 'pong',
      thinking: 'hm',
      tool_calls: [{ type: 'tool_call', id: 'toolu_z', name: 'echo', args: { v: 1 } }],
      usage: { input_tokens: 9, output_tokens: 4 },
      stop_reason: 'tool_use',
      raw_stop_reason: 'tool_use',
    });
  });

  it('speaks Anthropic to a vendor base URL ending in /anthropic, with a bearer key', async () => {
    standin.script([{ text: ['ni hao'] }]);
    const zai = { ...provider(), type: 'zai' as const, base_url: `${standin.url}/api/anthropic` };
    const events = await collect(streamChat({ provider: zai, model: 'glm-4.6', messages: hello }));
    expect(joined(events, 'text')).toBe('ni hao');
    const [req] = standin.chatRequests();
    expect(req!.path).toBe('/api/anthropic/v1/messages');
    expect(req!.headers.authorization).toBe(`Bearer ${KEY}`);
  });
});
