// One contract from route to studio: every route the server serves is declared in wire/routes/,
// documents its 2xx body, and (in tests) answers only what its schema says.
import express from 'express';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Api } from '../../server/src/http/api.js';
import { errorMiddleware } from '../../server/src/http/errors.js';
import { allContracts } from '../../server/src/wire/routes/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readSse } from '../helpers/sse.js';

type Operation = { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };

let server: TestServer;
let doc: { paths: Record<string, Record<string, Operation>> };
beforeAll(async () => {
  server = await startTestServer();
  doc = await (await server.fetch('/api/openapi.json')).json();
});
afterAll(() => server.close());

const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));

describe('the route table', () => {
  it('documents a 2xx body for every operation: a JSON schema, an event stream schema, or a 204', () => {
    const undocumented = operations()
      .filter(({ op }) => {
        const ok = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
        return !ok.some(([status, r]) => status === '204' || Object.values(r.content ?? {}).some((c) => c.schema !== undefined));
      })
      .map(({ name }) => name);
    expect(operations().length).toBeGreaterThan(70);
    expect(undocumented).toEqual([]);
  });

  it('is what the server serves: every route registered comes from a contract, and every contract is registered', () => {
    const served = operations().map(({ name }) => name).sort();
    const declared = allContracts.map((c) => `${c.method.toUpperCase()} ${c.path.replace(/:(\w+)/g, '{$1}')}`).sort();
    expect(served).toEqual(declared);
  });
});

describe('answers held to their schema (ATELIER_CHECK_RESPONSES, on in tests)', () => {
  const contracts = {
    good: { method: 'get', path: '/good', response: z.object({ n: z.number() }) },
    bad: { method: 'get', path: '/bad', response: z.object({ n: z.number() }) },
    events: { method: 'get', path: '/events', events: z.object({ progress: z.string() }) },
  } as const;
  let port: number;
  let close: () => void;
  beforeAll(async () => {
    const api = new Api({ checkResponses: true, log: pino({ level: 'silent' }) });
    api.route(contracts.good, { tag: 't', summary: 's', handler: () => ({ n: 1 }) });
    // A handler that drifts from its contract (what a cast or an `any` lets through).
    api.route(contracts.bad, { tag: 't', summary: 's', handler: () => ({ n: 'one' }) as unknown as { n: number } });
    api.route(contracts.events, {
      tag: 't',
      summary: 's',
      handler: ({ sse }) => {
        const stream = sse();
        stream.send({ progress: 'a' });
        stream.send({ progres: 'typo' } as unknown as { progress: string });
        stream.done();
        return undefined;
      },
    });
    const app = express().use(api.router()).use(errorMiddleware(pino({ level: 'silent' })));
    const listening = app.listen(0, '127.0.0.1');
    await new Promise((r) => listening.once('listening', r));
    port = (listening.address() as AddressInfo).port;
    close = () => listening.close();
  });
  afterAll(() => close());

  it('passes an answer that matches', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/good`);
    expect(await res.json()).toEqual({ n: 1 });
  });

  it('answers 500 RESPONSE_INVALID, naming the field, for one that does not', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/bad`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ code: 'RESPONSE_INVALID', error: expect.stringMatching(/GET \/bad.*n: /) });
  });

  it('replaces an event that does not match with a RESPONSE_INVALID error event', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/events`);
    const events = await readSse(res);
    expect(events).toEqual([{ progress: 'a' }, { code: 'RESPONSE_INVALID', error: expect.stringContaining('progress') }, { done: 'true' }]);
  });
});
