// Api.defer: a capability's code loads with the first request under one of its path prefixes
// (capabilities.ts), once, and then serves its routes as if registered at start.
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
  special: { method: 'get', path: '/things/special/one', response: z.object({ special: z.boolean() }) },
  early: { method: 'get', path: '/things/early', response: z.object({ early: z.boolean() }) },
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

const post = (base: string, body: unknown) => fetch(`${base}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('Api.defer', () => {
  it('loads nothing until a request comes, then loads once for concurrent first requests', async () => {
    const api = new Api({ checkResponses: true, log: silent });
    const load = vi.fn(async () => things());
    api.defer(['/things'], load);
    const base = await serve(api);
    expect(load).not.toHaveBeenCalled();
    expect(api.routes).toHaveLength(0);

    const [list, one] = await Promise.all([fetch(`${base}/things`), fetch(`${base}/things/x%2Fy`)]);
    expect(await list.json()).toEqual({ things: ['a'] });
    expect(await one.json()).toEqual({ id: 'x/y' });
    expect(await (await post(base, { name: 'b' })).json()).toEqual({ added: 'b' });
    expect(load).toHaveBeenCalledTimes(1);
    expect(api.routes.map((r) => `${r.method} ${r.path}`)).toEqual(['get /things', 'get /things/:id', 'post /things']);
  });

  it('leaves a route registered at start to itself, and answers 404 under the prefix for what the group does not serve', async () => {
    const api = new Api({ checkResponses: true, log: silent });
    api.route(contracts.early, { tag: 't', summary: 's', handler: () => ({ early: true }) });
    const load = vi.fn(async () => things());
    api.defer(['/things'], load);
    const base = await serve(api);
    expect(await (await fetch(`${base}/things/early`)).json()).toEqual({ early: true });
    expect((await fetch(`${base}/thingsmore`)).status).toBe(404); // not under the prefix: nothing loads
    expect((await fetch(`${base}/THINGS`)).status).toBe(404); // paths are case-sensitive, as the guard's are
    expect(load).not.toHaveBeenCalled();
    expect((await fetch(`${base}/things/a/b`)).status).toBe(404);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('validates a deferred route like any other: a bad body is refused and the handler never runs', async () => {
    const api = new Api({ checkResponses: true, log: silent });
    const handler = vi.fn(() => ({ added: 'never' }));
    api.defer(['/things'], async () => (a) => a.route(contracts.add, { tag: 't', summary: 's', handler }));
    const base = await serve(api);
    const res = await post(base, { name: 7 });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(handler).not.toHaveBeenCalled();
  });

  it('passes a gated route through its turn gate once, before the load and after it', async () => {
    const gate = new TurnGate(1);
    const pass = vi.spyOn(gate, 'pass');
    const api = new Api({ checkResponses: true, log: silent });
    api.defer(['/things'], async () => things(gate));
    const base = await serve(api);
    expect((await post(base, { name: 'b' })).status).toBe(200); // gates() found no route yet: the deferred handler passed the gate
    expect(pass).toHaveBeenCalledTimes(1);
    expect((await post(base, { name: 'b' })).status).toBe(200); // gates() passed it: the deferred handler does not again
    expect(pass).toHaveBeenCalledTimes(2);
  });

  it('gives a path under two groups to the longer prefix, and loads only that group', async () => {
    const api = new Api({ checkResponses: true, log: silent });
    const outer = vi.fn(async () => things());
    const inner = vi.fn(async (): Promise<Registrar> => (a) => a.route(contracts.special, { tag: 't', summary: 's', handler: () => ({ special: true }) }));
    api.defer(['/things'], outer);
    api.defer(['/things/special'], inner);
    const base = await serve(api);
    expect(await (await fetch(`${base}/things/special/one`)).json()).toEqual({ special: true });
    expect(inner).toHaveBeenCalledTimes(1);
    expect(outer).not.toHaveBeenCalled();
  });

  it('refuses code that registers a route outside its prefixes, naming it, and serves none of its routes', async () => {
    const api = new Api({ checkResponses: true, log: silent });
    api.defer(['/things'], async () => (a) => {
      a.route(contracts.list, { tag: 't', summary: 's', handler: () => ({ things: [] }) });
      a.route(contracts.special, { tag: 't', summary: 's', handler: () => ({ special: true }) }); // owned by the group below
    });
    api.defer(['/things/special'], async () => () => {});
    const base = await serve(api);
    const res = await fetch(`${base}/things`);
    expect(res.status).toBe(500);
    await expect(api.loadAll()).rejects.toThrow('registered routes outside its prefixes (/things): get /things/special/one');
    expect(api.routes).toEqual([]);
    expect((await fetch(`${base}/things/special/one`)).status).toBe(404);
  });

  it('drops what a registrar that throws had registered, and answers 500 with the failure logged, not shown', async () => {
    const api = new Api({ checkResponses: true, log: silent });
    api.defer(['/things'], async () => (a) => {
      a.route(contracts.list, { tag: 't', summary: 's', handler: () => ({ things: [] }) });
      throw new Error('broken capability');
    });
    const base = await serve(api);
    const res = await fetch(`${base}/things`);
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).not.toContain('broken capability');
    expect(api.routes).toEqual([]);
  });

  it('refuses a prefix that is not a plain path', () => {
    const api = new Api({ checkResponses: true, log: silent });
    expect(() => api.defer(['/things/:id'], async () => () => {})).toThrow('plain path');
    expect(() => api.defer(['/things/'], async () => () => {})).toThrow('plain path');
    expect(() => api.defer(['things'], async () => () => {})).toThrow('plain path');
  });

  it('loadAll loads every group, so the route table is whole', async () => {
    const api = new Api({ checkResponses: true, log: silent });
    api.defer(['/things'], async () => things());
    api.defer(['/things/special'], async () => (a) => a.route(contracts.special, { tag: 't', summary: 's', handler: () => ({ special: true }) }));
    await api.loadAll();
    expect(api.routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['get /things', 'get /things/:id', 'get /things/special/one', 'post /things']);
  });
});
