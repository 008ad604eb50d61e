import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamChat, type ChatEvent } from '../../server/src/providers/index.js';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import { standinProvider } from './fixtures.js';

/**
 * Real streams other people recorded from provider APIs (../shared/provider-streams, third-party
 * data read in place, never copied), served in pieces cut at random offsets (mid-line and inside
 * UTF-8 sequences); what the adapter makes of each must match its `.expect.json`.
 */
const DIR = join(import.meta.dirname, '../../../shared/provider-streams');
const FIXTURES = readdirSync(DIR)
  .filter((f) => f.endsWith('.sse'))
  .map((f) => f.slice(0, -'.sse'.length))
  .sort();

interface Expected {
  protocol: 'openai' | 'anthropic';
  text: string;
  thinking: string | null;
  tool_calls: { id: string; name: string; arguments: unknown; arguments_raw?: string }[];
  usage: { input_tokens: number; output_tokens: number };
  error: string | null;
}

let standin: ProviderStandin;
beforeAll(async () => {
  standin = await startProviderStandin();
});
afterAll(() => standin.close());

/** Serves `bytes` as an event stream, in pieces of 1 to 40 bytes at offsets a seeded generator picks. */
function serve(path: string, bytes: Buffer, seed: number): void {
  standin.route('POST', path, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let state = seed;
    let at = 0;
    const next = () => {
      if (at >= bytes.length) return void res.end();
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      const size = 1 + (state % 40);
      res.write(bytes.subarray(at, at + size));
      at += size;
      setImmediate(next);
    };
    next();
  });
}

/** What a client makes of a replayed fixture, in the `.expect.json` shape. */
async function replay(name: string, expected: Expected) {
  serve(expected.protocol === 'anthropic' ? '/v1/messages' : '/v1/chat/completions', readFileSync(join(DIR, `${name}.sse`)), name.length * 7919);
  const type = name.includes('minimax') ? 'minimax' : undefined;
  const provider = standinProvider(standin, expected.protocol, type);
  const events: ChatEvent[] = [];
  let error: string | null = null;
  try {
    for await (const ev of streamChat({ provider, model: 'replayed', messages: [{ role: 'user', content: 'hi' }] })) events.push(ev);
  } catch (err) {
    error = (err as Error).message;
  }
  const usage = events.filter((e) => e.type === 'usage').at(-1);
  const thinking = events.map((e) => (e.type === 'thinking' ? e.text : '')).join('');
  return {
    text: events.map((e) => (e.type === 'text' ? e.text : '')).join(''),
    thinking: thinking === '' ? null : thinking,
    tool_calls: events.flatMap((e) =>
      e.type !== 'tool_call' ? [] : [e.args_error === undefined ? { id: e.id, name: e.name, arguments: e.args } : { id: e.id, name: e.name, arguments: null, arguments_raw: e.raw_args }],
    ),
    usage: usage && { input_tokens: usage.input_tokens, output_tokens: usage.output_tokens },
    error,
  };
}

describe('replayed provider streams', () => {
  it.each(FIXTURES)('%s gives what its expect.json says', async (name) => {
    const expected = JSON.parse(readFileSync(join(DIR, `${name}.expect.json`), 'utf8')) as Expected;
    const got = await replay(name, expected);
    if (expected.error === null) expect(got.error).toBeNull();
    expect({ text: got.text, thinking: got.thinking, tool_calls: got.tool_calls, usage: got.usage }).toEqual({
      text: expected.text,
      thinking: expected.thinking,
      tool_calls: expected.tool_calls,
      usage: expected.usage,
    });
    if (expected.error === null) expect(got.error).toBeNull();
    else expect(got.error).toContain(expected.error);
  });
});
