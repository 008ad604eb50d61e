// The one stream-or-JSON helper: without ?stream=true the work's result is the JSON answer and
// its failure the usual HTTP error; with it, progress events, the last event, then {done}, and a
// failure is one logged {error, code} event (an unexpected one without its internals).
import express from 'express';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Api } from '../../server/src/http/api.js';
import { AppError, errorMiddleware } from '../../server/src/http/errors.js';
import { streamOrJson } from '../../server/src/http/stream.js';
import { StreamQuery } from '../../server/src/wire/routes/common.js';
import { readSse } from '../helpers/sse.js';

const logged: Record<string, unknown>[] = [];
const log = pino({ level: 'info' }, new Writable({ write: (line, _enc, done) => (logged.push(JSON.parse(String(line))), done()) }));

const contract = {
  method: 'post',
  path: '/work',
  query: StreamQuery,
  body: z.strictObject({ fail: z.enum(['none', 'refused', 'crash']) }),
  response: z.object({ total: z.number() }),
  events: z.union([z.object({ step: z.number() }), z.object({ total: z.number() })]),
} as const;

let base: string;
let close: () => void;
beforeAll(async () => {
  const api = new Api({ checkResponses: true, log });
  api.route(contract, {
    tag: 't',
    summary: 's',
    handler: ({ body, query, sse }) =>
      streamOrJson(
        { stream: query.stream === 'true', sse, log, context: { job: 'test' } },
        async (progress) => {
          progress({ step: 1 });
          if (body.fail === 'refused') throw new AppError(409, 'CONFLICT', 'Busy with another job');
          if (body.fail === 'crash') throw new Error('ENOENT /secret/internal/path');
          progress({ step: 2 });
          return { total: 2 };
        },
        (result) => result,
      ),
  });
  const server = express().use(express.json()).use(api.router()).use(errorMiddleware(log)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

const post = (fail: string, stream: boolean) =>
  fetch(`${base}/work${stream ? '?stream=true' : ''}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fail }) });

describe('streamOrJson', () => {
  it('answers the result as JSON without ?stream=true, and a failure as the HTTP error', async () => {
    expect(await (await post('none', false)).json()).toEqual({ total: 2 });
    const refused = await post('refused', false);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ error: 'Busy with another job', code: 'CONFLICT' });
  });

  it('streams progress, the last event, then done', async () => {
    const res = await post('none', true);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(await readSse(res)).toEqual([{ step: 1 }, { step: 2 }, { total: 2 }, { done: 'true' }]);
  });

  it("ends a refused stream with the error's message and code, logged as a warning", async () => {
    logged.length = 0;
    expect(await readSse(await post('refused', true))).toEqual([{ step: 1 }, { error: 'Busy with another job', code: 'CONFLICT' }, { done: 'true' }]);
    expect(logged).toContainEqual(expect.objectContaining({ level: 40, job: 'test', code: 'CONFLICT' }));
  });

  it('ends a crashed stream with INTERNAL and no internals, the stack logged as an error', async () => {
    logged.length = 0;
    const events = await readSse(await post('crash', true));
    expect(events).toEqual([{ step: 1 }, { error: 'Internal server error', code: 'INTERNAL' }, { done: 'true' }]);
    expect(JSON.stringify(events)).not.toContain('secret');
    expect(logged).toContainEqual(expect.objectContaining({ level: 50, job: 'test', err: expect.objectContaining({ message: 'ENOENT /secret/internal/path', stack: expect.any(String) }) }));
  });
});
