import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { completeChat, streamChat, type ChatEvent } from '../../server/src/providers/index.js';
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

const provider = () => standinProvider(standin, 'openai');
const hello = [{ role: 'user' as const, content: 'Hello' }];

describe('OpenAI-compatible adapter', () => {
  it('streams text deltas, then usage from the final empty-choices chunk, then done', async () => {
    standin.script([{ text: ['Hel', 'lo', ' there'], usage: { input_tokens: 11, output_tokens: 3 } }]);
    const events = await collect(streamChat({ provider: provider(), model: 'standin-small', messages: hello }));
    expect(events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text)).toEqual(['Hel', 'lo', ' there']);
    expect(events.slice(-2)).toEqual([
      { type: 'usage', input_tokens: 11, output_tokens: 3 },
      { type: 'done', stop_reason: 'end_turn', raw_stop_reason: 'stop' },
    ]);
  });

  it('asks for a stream with usage, sends the bearer key and the model', async () => {
    standin.script([{ text: ['ok'] }]);
    await collect(streamChat({ provider: provider(), model: 'standin-large', messages: hello }));
    const [req] = standin.chatRequests();
    expect(req!.path).toBe('/v1/chat/completions');
    expect(req!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req!.body).toMatchObject({ model: 'standin-large', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hello' }] });
  });

  it('maps reasoning_content deltas to thinking, then one thinking_end when the answer starts', async () => {
    standin.script([{ thinking: ['Let me ', 'think.'], text: ['Answer.'] }]);
    const events = await collect(streamChat({ provider: provider(), model: 'standin-small', messages: hello }));
    const kinds = events.map((e) => e.type);
    expect(kinds.slice(0, 4)).toEqual(['thinking', 'thinking', 'thinking_end', 'text']);
    expect(joined(events, 'thinking')).toBe('Let me think.');
    expect(kinds.filter((k) => k === 'thinking_end')).toHaveLength(1);
  });

  it('reads OpenRouter-style `reasoning` deltas and ignores its keep-alive comments', async () => {
    standin.script([{ keepalive_comments: 3, reasoning_field: 'reasoning', thinking: ['hmm'], text: ['yes'] }]);
    const events = await collect(streamChat({ provider: provider(), model: 'standin-small', messages: hello }));
    expect(events.map((e) => e.type)).toEqual(['thinking', 'thinking_end', 'text', 'usage', 'done']);
  });

  it('assembles tool-call arguments split mid-JSON across deltas, one call per index', async () => {
    const args = { city: 'Paris', units: 'metric', days: 3, nested: { a: [1, 2] } };
    standin.script([{ tool_calls: [{ id: 'call_1', name: 'get_weather', args, piece_chars: 3 }, { id: 'call_2', name: 'get_time', args: { tz: 'Europe/Paris' }, piece_chars: 4 }] }]);
    const events = await collect(streamChat({ provider: provider(), model: 'standin-small', messages: hello }));
    const calls = events.filter((e): e is Extract<ChatEvent, { type: 'tool_call' }> => e.type === 'tool_call');
    expect(calls).toEqual([
      { type: 'tool_call', id: 'call_1', name: 'get_weather', args },
      { type: 'tool_call', id: 'call_2', name: 'get_time', args: { tz: 'Europe/Paris' } },
    ]);
    expect(events.at(-1)).toEqual({ type: 'done', stop_reason: 'tool_use', raw_stop_reason: 'tool_calls' });
  });

  it('sends tools, assistant tool calls, tool results and images in the OpenAI shapes', async () => {
    standin.script([{ text: ['done'] }]);
    await collect(
      streamChat({
        provider: provider(),
        model: 'standin-small',
        tools: [{ name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } }],
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'What is in this?', images: [{ mime: 'image/png', data: 'iVBORw0KGgo=' }] },
          { role: 'assistant', content: '', tool_calls: [{ id: 'call_9', name: 'read_file', args: { path: 'a.txt' } }] },
          { role: 'tool', tool_call_id: 'call_9', name: 'read_file', content: 'no such file', is_error: true },
        ],
      }),
    );
    const body = standin.chatRequests()[0]!.body;
    expect(body.tools).toEqual([{ type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }]);
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'What is in this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.txt"}' } }] },
      { role: 'tool', tool_call_id: 'call_9', content: 'Error: no such file' },
    ]);
  });

  it('reports tool arguments that are not JSON on the call instead of failing the turn', async () => {
    standin.script([{ tool_calls: [{ id: 'call_x', name: 'terminal', args: {}, raw_args: '{"command": "ls' }] }]);
    const events = await collect(streamChat({ provider: provider(), model: 'standin-small', messages: hello }));
    expect(events.find((e) => e.type === 'tool_call')).toEqual({
      type: 'tool_call',
      id: 'call_x',
      name: 'terminal',
      args: {},
      raw_args: '{"command": "ls',
      args_error: expect.stringContaining('not valid JSON'),
    });
    expect(events.at(-1)).toMatchObject({ type: 'done' });
  });

  it('completes a turn without streaming (text, reasoning, tool calls, usage)', async () => {
    standin.script([{ thinking: ['pondering'], text: ['po', 'ng'], usage: { input_tokens: 7, output_tokens: 2 } }]);
    const answer = await completeChat({ provider: provider(), model: 'standin-small', messages: hello });
    expect(answer).toEqual({ text: 'pong', thinking: 'pondering', tool_calls: [], usage: { input_tokens: 7, output_tokens: 2 }, stop_reason: 'end_turn', raw_stop_reason: 'stop' });
    expect(standin.chatRequests()[0]!.body.stream).toBe(false);
  });

  it('merges the vendor extras of the catalog into MiniMax requests and splits <think> tags out of the content', async () => {
    standin.script([{ text: ['<thi', 'nk>plan', ' it</th', 'ink>\n\nThe answer'] }]);
    const minimax = standinProvider(standin, 'openai', 'minimax');
    const events = await collect(streamChat({ provider: minimax, model: 'MiniMax-M2', messages: hello, max_tokens: 100 }));
    expect(joined(events, 'thinking')).toBe('plan it');
    expect(joined(events, 'text')).toBe('The answer'); // the blank lines after </think> are padding
    expect(events.filter((e) => e.type === 'thinking_end')).toHaveLength(1);
    expect(standin.chatRequests()[0]!.body).toMatchObject({ reasoning_split: true, max_completion_tokens: 100 });
  });
});
