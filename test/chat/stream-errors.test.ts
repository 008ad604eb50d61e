// A chat turn that fails on something unexpected (not an AppError: a bug, a broken disk) says so
// with {error: 'Internal server error', code: 'INTERNAL'} and logs the real error; what it was
// never reaches the client, streamed or not.
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatEngine } from '../../server/src/chat/engine.js';
import { generateToken } from '../../server/src/security/token.js';
import { startAtelier, type RunningAtelier } from '../../server/src/server.js';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import { readSse } from '../helpers/sse.js';
import { tempDir } from '../helpers/temp.js';

const SECRET = 'SQLITE_IOERR: disk I/O error at /home/someone/.atelier/data/atelier.db';

const home = tempDir();
const token = generateToken();
const logged: Record<string, unknown>[] = [];
let atelier: RunningAtelier;
let standin: ProviderStandin;

function fetchApi(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${atelier.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
}

beforeAll(async () => {
  // The server runs in this process, its log into `logged`: the test can read what was logged.
  const log = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) });
  atelier = await startAtelier({ port: 0, home: home.dir, token, staticDir: null, scanToolsAtStart: false, log });
  standin = await startProviderStandin({ apiKey: 'sk-test' });
  const provider = { id: 'oai', name: 'Stand-in', type: 'openai', base_url: standin.openaiBase, api_key: 'sk-test', model: 'gpt-test' };
  expect((await fetchApi('/api/config/provider', { method: 'PUT', body: JSON.stringify(provider) })).status).toBe(200);
  expect((await fetchApi('/api/config/profile', { method: 'PUT', body: JSON.stringify({ active_provider: 'oai', active_model: 'gpt-test' }) })).status).toBe(200);
});
afterAll(async () => {
  await atelier.close();
  await standin.close();
  home.remove();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** The next turn's engine run fails with an error that is not an AppError. */
function failNextRun(): void {
  vi.spyOn(ChatEngine.prototype, 'run').mockRejectedValueOnce(new Error(SECRET));
}

describe('an unexpected failure of a chat turn', () => {
  it('streams {error, code: INTERNAL} without the internal message, then done, and logs the error with its stack', async () => {
    failNextRun();
    const res = await fetchApi('/api/chat', { method: 'POST', body: JSON.stringify({ message: 'hello', stream: true }) });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events[0]).toEqual({ conversation_id: expect.any(String) });
    expect(events.slice(1)).toEqual([{ error: 'Internal server error', code: 'INTERNAL' }, { done: 'true' }]);
    expect(JSON.stringify(events)).not.toContain('SQLITE');

    const entry = logged.find((line) => line.msg === 'stream failed');
    expect(entry).toMatchObject({ level: 50, conversation: events[0].conversation_id, err: { message: SECRET } });
    expect((entry!.err as { stack: string }).stack).toContain('stream-errors.test.ts');
  });

  it('answers 500 INTERNAL without the internal message when not streamed, and logs the error once', async () => {
    logged.length = 0;
    failNextRun();
    const res = await fetchApi('/api/chat', { method: 'POST', body: JSON.stringify({ message: 'hello' }) });
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ error: 'Internal server error', code: 'INTERNAL' });
    expect(body).not.toContain('SQLITE');
    expect(logged.filter((entry) => entry.level === 50)).toHaveLength(1);
  });
});
