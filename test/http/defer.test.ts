// Api.defer: a capability's routes are known at start and its code loads with the first request
// for one of them (capabilities.ts), once, and then serves them as if registered at start.
import express from 'express';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Api, type Registrar } from '../../server/src/http/api.js';
import { errorMiddleware } from '../../server/src/http/errors.js';
import { TurnGate } from '../../server/src/http/turn-gate.js';

const contracts = {
  list: { method: 'get', path: '/things', response: z.object({ things: z.array(z.string()) }) },
  one: { method: 'get', path: '/things/:id', params: z.object({ id: z.string() }), response: z.object({ id: z.string() }) },
  add: { method: 'post', path: '/things', body: z.object({ name: z.string() }), response: z.object({ added: z.string() }) },
} as const;

const silent = pino({ level: 'silent' });
let close: (() => void) | undefined;
afterEach(() => close?.());

async function serve(api: Api): Promise<string> {
  const app = express().use(api.gates()).use(api.router()).use(errorMiddleware(silent));
  const listening = app.listen(0, '127.0.0.1');
  await new Promise((r) => listening.once('listening', r));
  close = () => listening.close();
  return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
}

function things(gate?: TurnGate): Registrar {
  return (api) => {
    api.route(contracts.list, { tag: 't', summary: 's', handler: () => ({ things: ['a'] }) });
    api.route(contracts.one, { tag: 't', summary: 's', handler: ({ params }) => ({ id: params.id }) });
    api.route(contracts.add, { tag: 't', summary: 's', turnGate: gate, handler: ({ body }) => ({ added: body.name }) });
  };
}

describe('Api.defer', () => {
  it('loads nothing until a request comes, then loads once for concurrent first requests', async () => {
    const api = new Api({ checkResponses: true, log: silent });
    const load = vi.fn(async () => things());
    api.defer(Object.values(contracts), load);
    const base = await serve(api);
    expect(load).not.toHaveBeenCalled();
    expect(api.routes).toHaveLength(0);

    const [list, one] = await Promise.all([fetch(`${base}/things`), fetch(`${base}/things/x%2Fy`)]);
    expect(await list.json()).toEqual({ things: ['a'] });
    expect(await one.json()).toEqual({ id: 'x/y' });
    const add = await fetch(`${base}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'b' }) });
    expect(await add.json()).toEqual({ added: 'b' });
    expect(load).toHaveBeenCalledTimes(1);
    expect(api.routes.map((r) => `${r.method} ${r.path}`)).toEqual(['get /things', 'get /things/:id', 'post /things']);
  });

  it('validates a deferred route like any other: a bad body is refused and the handler never runs', async () => {
    const api = new Api({ checkResponses: true, log: silent });
    const handler = vi.fn(() => ({ added: 'never' }));
    api.defer([contracts.add], async () => (a) => a.route(contracts.add, { tag: 't', summary: 's', handler }));
    const base = await serve(api);
    const res = await fetch(`${base}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 7 }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('passes a gated route through its turn gate once, before the load and after it', async () => {
    const gate = new TurnGate(1);
    const pass = vi.spyOn(gate, 'pass');
    const api = new Api({ checkResponses: true, log: silent });
    api.defer(Object.values(contracts), async () => things(gate));
    const base = await serve(api);
    const post = () => fetch(`${base}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'b' }) });
    expect((await post()).status).toBe(200); // gates() found no route yet: the deferred handler passed the gate
    expect(pass).toHaveBeenCalledTimes(1);
    expect((await post()).status).toBe(200); // gates() passed it: the deferred handler does not again
    expect(pass).toHaveBeenCalledTimes(2);
  });

  it('refuses code that registers other routes than its contracts, naming them, and serves none of them', async () => {
    const api = new Api({ checkResponses: true, log: silent });
    const stray = { method: 'get', path: '/stray', response: z.object({}) } as const;
    api.defer([contracts.list, contracts.one], async () => (a) => {
      a.route(contracts.list, { tag: 't', summary: 's', handler: () => ({ things: [] }) });
      a.route(stray, { tag: 't', summary: 's', handler: () => ({}) });
    });
    const base = await serve(api);
    const res = await fetch(`${base}/things`);
    expect(res.status).toBe(500);
    await expect(api.loadAll()).rejects.toThrow('other routes than its contracts: get /things/:id, get /stray');
    expect((await fetch(`${base}/stray`)).status).toBe(404);
  });

  it('loadAll loads every group, so the route table is whole', async () => {
    const api = new Api({ checkResponses: true, log: silent });
    api.defer([contracts.list, contracts.one], async () => (a) => {
      a.route(contracts.list, { tag: 't', summary: 's', handler: () => ({ things: [] }) });
      a.route(contracts.one, { tag: 't', summary: 's', handler: ({ params }) => ({ id: params.id }) });
    });
    api.defer([contracts.add], async () => (a) => a.route(contracts.add, { tag: 't', summary: 's', handler: ({ body }) => ({ added: body.name }) }));
    await api.loadAll();
    expect(api.routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['get /things', 'get /things/:id', 'post /things']);
  });
});
