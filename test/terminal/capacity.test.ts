import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TerminalClient } from '../helpers/terminal-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const clients: TerminalClient[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

describe('terminal session cap', () => {
  it('refuses the 51st session with close code 1013 and a reason', async () => {
    const settings = await (await server.fetch('/api/config')).json();
    expect(settings.terminal.max_sessions).toBe(50);
    for (let i = 0; i < 50; i++) {
      const c = new TerminalClient(server.port, server.token);
      clients.push(c);
      await c.init({ kind: 'local', shell: '/bin/sh' });
    }
    const extra = new TerminalClient(server.port, server.token);
    clients.push(extra);
    const closed = await extra.waitForClose();
    expect(closed.code).toBe(1013);
    expect(closed.reason).toMatch(/Too many terminal sessions/);
    // Ending one session (not just its socket: detached sessions keep running) frees a place.
    clients[0]!.input('exit\r');
    await clients[0]!.waitForMessage((m) => m.type === 'exit');
    clients[0]!.close();
    await clients[0]!.waitForClose();
    await new Promise((r) => setTimeout(r, 100));
    const next = new TerminalClient(server.port, server.token);
    clients.push(next);
    await next.init({ kind: 'local', shell: '/bin/sh' });
  }, 60_000);
});
