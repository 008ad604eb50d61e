import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../server/src/http/errors.js';
import { completeChat, ProviderError, streamChat, type ChatRequest } from '../../server/src/providers/index.js';
import { startProviderStandin, type ProviderStandin, type Turn } from '../helpers/provider-standin.js';
import { collect, KEY, standinProvider, until } from './fixtures.js';

let standin: ProviderStandin;
beforeAll(async () => {
  standin = await startProviderStandin({ apiKey: KEY });
});
afterAll(() => standin.close());
beforeEach(() => {
  standin.requests.length = 0;
});

/** The error a scripted turn makes a stream throw. */
async function failure(protocol: 'openai' | 'anthropic', turn: Turn, extra: Partial<ChatRequest> = {}): Promise<AppError> {
  standin.script([turn]);
  try {
    await collect(streamChat({ provider: standinProvider(standin, protocol), model: 'standin-small', messages: [{ role: 'user', content: 'hi' }], ...extra }));
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('the stream did not fail');
}

describe.each(['openai', 'anthropic'] as const)('%s protocol failures', (protocol) => {
  it('turns a 401 into PROVIDER_UNAUTHORIZED with the provider message and no key in it', async () => {
    const err = await failure(protocol, { status: 401 });
    expect(err.code).toBe('PROVIDER_UNAUTHORIZED');
    expect(err.status).toBe(502);
    expect(err.message).toMatch(/HTTP 401/);
    expect(err.message).not.toContain(KEY);
  });

  it('turns a wrong key into PROVIDER_UNAUTHORIZED', async () => {
    standin.script([{ text: ['never'] }]);
    const provider = { ...standinProvider(standin, protocol), api_key: 'sk-wrong-key-000' };
    await expect(collect(streamChat({ provider, model: 'standin-small', messages: [{ role: 'user', content: 'hi' }] }))).rejects.toMatchObject({ code: 'PROVIDER_UNAUTHORIZED' });
  });

  it('turns a 429 into PROVIDER_RATE_LIMITED carrying Retry-After', async () => {
    const err = await failure(protocol, { status: 429, retry_after: '17' });
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', status: 429, retryAfterS: 17 });
    expect(err.message).toContain('retry after 17 s');
  });

  it('turns a 500 into PROVIDER_ERROR quoting the provider', async () => {
    const err = await failure(protocol, { status: 500, error_message: 'upstream exploded' });
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', status: 502 });
    expect(err.message).toContain('upstream exploded');
  });

  it('turns an error event inside the stream into PROVIDER_ERROR', async () => {
    const err = await failure(protocol, { text: ['par'], stream_error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect(err.code).toBe('PROVIDER_ERROR');
    expect(err.message).toContain('Overloaded');
  });

  it('turns an event that is not JSON into PROVIDER_BAD_STREAM', async () => {
    expect((await failure(protocol, { text: ['a'], malformed: 'not_json' })).code).toBe('PROVIDER_BAD_STREAM');
  });

  it('turns a stream cut before its end into PROVIDER_BAD_STREAM', async () => {
    expect((await failure(protocol, { text: ['a', 'b', 'c', 'd'], malformed: 'truncated' })).code).toBe('PROVIDER_BAD_STREAM');
  });

  it('turns an HTML page instead of an event stream into PROVIDER_BAD_STREAM', async () => {
    expect((await failure(protocol, { malformed: 'not_sse' })).code).toBe('PROVIDER_BAD_STREAM');
  });

  it('gives up with PROVIDER_TIMEOUT when no byte arrives in time, and closes the connection', async () => {
    const started = Date.now();
    const err = await failure(protocol, { hang: 'headers' }, { firstByteTimeoutMs: 200 });
    expect(err).toMatchObject({ code: 'PROVIDER_TIMEOUT', status: 504 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await standin.chatRequests()[0]!.closed).toBe(true);
  });

  it('gives up with PROVIDER_TIMEOUT when the stream stalls mid-answer', async () => {
    const err = await failure(protocol, { text: ['a', 'b', 'c'], hang: 'body' }, { stallTimeoutMs: 200 });
    expect(err.code).toBe('PROVIDER_TIMEOUT');
    expect(err.message).toMatch(/no data for 200 ms/);
  });

  it('aborting the signal cancels the upstream request: the stand-in sees its socket close', async () => {
    standin.script([{ text: Array.from({ length: 200 }, (_, i) => `w${i} `), delay_ms: 20 }]);
    const abort = new AbortController();
    const seen: string[] = [];
    const run = (async () => {
      for await (const ev of streamChat({ provider: standinProvider(standin, protocol), model: 'standin-small', messages: [{ role: 'user', content: 'hi' }], signal: abort.signal })) {
        if (ev.type === 'text') seen.push(ev.text);
        if (seen.length === 2) abort.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ code: 'REQUEST_ABORTED' });
    await until(() => standin.chatRequests().length === 1);
    expect(await standin.chatRequests()[0]!.closed).toBe(true);
    expect(seen.length).toBeLessThan(10);
  });

  it('leaving the loop early also closes the upstream connection', async () => {
    standin.script([{ text: Array.from({ length: 200 }, (_, i) => `w${i} `), delay_ms: 20 }]);
    for await (const ev of streamChat({ provider: standinProvider(standin, protocol), model: 'standin-small', messages: [{ role: 'user', content: 'hi' }] })) {
      if (ev.type === 'text') break;
    }
    expect(await standin.chatRequests()[0]!.closed).toBe(true);
  });

  it('a complete answer gives its connection back: the next call reuses it', async () => {
    standin.script([{ text: ['one'] }, { text: ['two'] }]);
    const ask = () => collect(streamChat({ provider: standinProvider(standin, protocol), model: 'standin-small', messages: [{ role: 'user', content: 'hi' }] }));
    await ask();
    // (what is left of the first answer is drained in the background; a tool call takes longer)
    await new Promise((r) => setTimeout(r, 50));
    await ask();
    const [first, second] = standin.chatRequests();
    expect(second!.remotePort).toBe(first!.remotePort);
  });

  it('a non-streaming call fails the same way', async () => {
    standin.script([{ status: 503 }]);
    await expect(completeChat({ provider: standinProvider(standin, protocol), model: 'standin-small', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
  });
});

describe('requests refused before reaching a provider', () => {
  const base = () => ({ provider: standinProvider(standin, 'openai'), messages: [{ role: 'user' as const, content: 'hi' }] });

  it('refuses a model the provider does not list (UNKNOWN_MODEL) without calling it', async () => {
    const provider = { ...base().provider, models: ['standin-small'] };
    await expect(collect(streamChat({ ...base(), provider, model: 'gpt-imaginary' }))).rejects.toMatchObject({ code: 'UNKNOWN_MODEL', status: 400 });
    expect(standin.requests).toHaveLength(0);
  });

  it('refuses a provider with no key when its vendor needs one', async () => {
    const provider = { ...base().provider, api_key: '' };
    await expect(collect(streamChat({ ...base(), provider, model: 'x' }))).rejects.toMatchObject({ code: 'PROVIDER_KEY_MISSING' });
  });

  it('sends no auth header to a keyless local Ollama', async () => {
    standin.apiKey = undefined;
    try {
      standin.script([{ text: ['local'] }]);
      const provider = { ...base().provider, type: 'ollama' as const, api_key: '' };
      await collect(streamChat({ ...base(), provider, model: 'llama3' }));
      expect(standin.chatRequests()[0]!.headers.authorization).toBeUndefined();
    } finally {
      standin.apiKey = KEY;
    }
  });

  it('reports a provider nobody listens for as PROVIDER_UNREACHABLE', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const provider = { ...base().provider, base_url: `http://127.0.0.1:${port}/v1` };
    await expect(collect(streamChat({ ...base(), provider, model: 'x' }))).rejects.toMatchObject({ code: 'PROVIDER_UNREACHABLE' });
  });

  it('does not follow a redirect: PROVIDER_UNREACHABLE naming where it points, and the target is never called', async () => {
    let targetCalled = false;
    const target = createHttpServer((_req, res) => {
      targetCalled = true;
      res.end();
    });
    const redirector = createHttpServer((_req, res) => res.writeHead(301, { location: `http://127.0.0.1:${(target.address() as { port: number }).port}/v1/chat/completions` }).end());
    await Promise.all([target, redirector].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    try {
      const provider = { ...base().provider, base_url: `http://127.0.0.1:${(redirector.address() as { port: number }).port}/v1` };
      const err = await collect(streamChat({ ...base(), provider, model: 'x' })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'PROVIDER_UNREACHABLE', message: expect.stringMatching(/redirects \(HTTP 301\) to http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/) });
      expect(targetCalled).toBe(false);
    } finally {
      await Promise.all([target, redirector].map((s) => new Promise((r) => s.close(r))));
    }
  });
});
