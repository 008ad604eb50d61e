import { createLogger } from '../../server/src/logger.js';
import { startAtelier } from '../../server/src/server.js';
import { generateToken } from '../../server/src/security/token.js';
import { tempDir } from './temp.js';

export { tempDir };

/** A real Atelier on 127.0.0.1:<free port> with its own temporary ATELIER_HOME. */
export interface TestServer {
  url: string;
  port: number;
  token: string;
  home: string;
  /** fetch against the server with the Bearer token (and JSON content type when a body is given). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a server; a home created here is deleted on close, one passed in is kept. */
export async function startTestServer(opts: { home?: string; token?: string; staticDir?: string; scanToolsAtStart?: boolean } = {}): Promise<TestServer> {
  const owned = opts.home === undefined ? tempDir() : undefined;
  const home = opts.home ?? owned!.dir;
  const token = opts.token ?? generateToken();
  const atelier = await startAtelier({
    port: 0,
    home,
    token,
    staticDir: opts.staticDir ?? null,
    scanToolsAtStart: opts.scanToolsAtStart ?? false,
    log: createLogger({ level: process.env.ATELIER_TEST_LOG ?? 'silent' }),
  });
  return {
    url: atelier.url,
    port: atelier.port,
    token,
    home,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
      if (init.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(`${atelier.url}${path}`, { ...init, headers });
    },
    async close() {
      await atelier.close();
      owned?.remove();
    },
  };
}
