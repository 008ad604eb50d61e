import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { abortOnDisconnect } from '../../server/src/http/disconnect.js';
import { SseWriter } from '../../server/src/http/sse.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * Serves one route whose handler waits until its client has hung up (as a request waiting at
 * a turn gate may find) and then reports what `signalOf` makes of it.
 */
async function lateSignal(signalOf: (req: express.Request, res: express.Response) => AbortSignal): Promise<boolean> {
  let result!: (aborted: boolean) => void;
  const seen = new Promise<boolean>((resolve) => (result = resolve));
  const app = express();
  app.post('/late', (req, res) => {
    req.socket.destroy(); // stands for the client having left while the request waited
    setTimeout(() => result(signalOf(req, res).aborted), 20);
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  closers.push(() => new Promise((r) => server.close(r)));
  const client = request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', path: '/late', method: 'POST' });
  client.on('error', () => undefined);
  client.end('{}');
  return seen;
}

describe('a client that left before the answer began', () => {
  it('aborts the work of a JSON answer at once', async () => {
    expect(await lateSignal((_req, res) => abortOnDisconnect(res))).toBe(true);
  });

  it('aborts the work of a streamed answer at once', async () => {
    expect(await lateSignal((_req, res) => new SseWriter(res).signal)).toBe(true);
  });
});
