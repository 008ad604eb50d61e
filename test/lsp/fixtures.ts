import express from 'express';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Services } from '../../server/src/services.js';
import type { AppContext } from '../../server/src/context.js';
import { Api } from '../../server/src/http/api.js';
import { errorMiddleware } from '../../server/src/http/errors.js';
import { WsRoutes } from '../../server/src/http/websocket.js';
import { Lifecycle } from '../../server/src/lifecycle.js';
import { createLogger } from '../../server/src/logger.js';
import { createLspCapability, type LspCapabilityOptions } from '../../server/src/lsp/routes.js';
import type { LspServerSpec } from '../../server/src/lsp/registry.js';
import { ROOT_DIR } from '../../server/src/server.js';
import { readSse } from '../helpers/sse.js';

/** Anything that fetches against a running server (TestServer, or the LSP-only app below). */
export interface Fetcher {
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** A JSON request; the parsed answer with its status. */
export async function call(target: Fetcher, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await target.fetch(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** POSTs with ?stream=true and reads every SSE event up to done. */
export async function streamed(target: Fetcher, path: string, body: unknown): Promise<{ status: number; events: any[] }> {
  const res = await target.fetch(`${path}?stream=true`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.headers.get('content-type')?.includes('text/event-stream')) return { status: res.status, events: [await res.json()] };
  return { status: res.status, events: await readSse(res) };
}

/** The LSP capability alone on 127.0.0.1, with a registry and timeouts of the test's choosing (the test seam). */
export interface LspApp extends Fetcher {
  url: string;
  lifecycle: Lifecycle;
  close(): Promise<void>;
}

/** Starts the LSP routes with `options` (registry, PATH, timeouts) and a data dir of the test's. */
export async function startLspApp(dataDir: string, options: LspCapabilityOptions): Promise<LspApp> {
  const log = createLogger({ level: process.env.ATELIER_TEST_LOG ?? 'silent' });
  const lifecycle = new Lifecycle();
  // Only what the LSP capability reads; the config store and database belong to other capabilities.
  const ctx = { name: 'atelier', version: 'test', author: 'test', paths: { configDir: dataDir, dataDir }, rootDir: ROOT_DIR, log, lifecycle, startedAt: Date.now(), scanToolsAtStart: false } as unknown as AppContext;
  const api = new Api({ checkResponses: true, log });
  // The LSP capability uses none of the shared services.
  createLspCapability(options).register({ api, ws: new WsRoutes(), ctx, services: {} as Services });
  const app = express();
  app.use(api.router());
  app.use(errorMiddleware(log));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    lifecycle,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(`${url}${path}`, { ...init, headers });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await lifecycle.close();
    },
  };
}

/** A valid registry entry, changed where the test says. */
export function spec(overrides: Partial<LspServerSpec> & Pick<LspServerSpec, 'id' | 'command'>): LspServerSpec {
  return {
    name: overrides.id,
    homepage: 'https://example.com',
    languages: ['plaintext'],
    file_extensions: ['.txt'],
    project_markers: [],
    args: [],
    version_args: null,
    install: { method: 'system', hints: { debian: 'apt install it', macos: 'brew install it', windows: 'winget install it' } },
    editors: { vscode: { extension: null, builtin: false }, neovim: null, helix: null, zed: null },
    ...overrides,
  };
}

/** True while a process with this pid exists and is not a zombie (an orphan's parent may never reap it in a container). */
export function alive(pid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    try {
      return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `check` holds, polling, for at most `ms`. */
export async function eventually(check: () => boolean, ms = 3_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
