// The studio's terminal socket (web/src/terminal/terminal-socket.ts) against a real `ws` server
// on 127.0.0.1: re-attaching after a drop, backing off, and giving up when told to.
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { TERMINAL_WS_PATH, WS_CLOSE_NORMAL, WS_CLOSE_TRY_AGAIN_LATER } from '$wire/terminal-limits';
import { SOCKET_ERROR, TerminalSocket, type SocketState, type TerminalSocketHandlers } from '../../../web/src/terminal/terminal-socket';

/** One connection the server took: what the client sent on it, and when it came. */
interface Connection {
  ws: ServerSocket;
  path: string;
  at: number;
  messages: { type: string; data?: unknown }[];
}

let server: WebSocketServer;
let connections: Connection[] = [];
/** What the server does with each connection's first frame; set per test. */
let onStart: (conn: Connection, message: { type: string; data?: unknown }) => void = () => {};
const sockets: TerminalSocket[] = [];
/**
 * `ws` as a browser's WebSocket: a browser ignores an error event no one listens to (a failed
 * socket then closes, which the studio handles), while `ws` throws it, e.g. when a socket still
 * connecting is closed by detach().
 */
class BrowserLikeWebSocket extends NodeWebSocket {
  constructor(...args: ConstructorParameters<typeof NodeWebSocket>) {
    super(...args);
    this.on('error', () => {});
  }
}

const saved = { WebSocket: globalThis.WebSocket, location: (globalThis as { location?: unknown }).location };

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws, req) => {
    const conn: Connection = { ws, path: req.url ?? '', at: performance.now(), messages: [] };
    connections.push(conn);
    ws.on('message', (raw, isBinary) => {
      expect(isBinary).toBe(false);
      const message = JSON.parse(raw.toString()) as { type: string; data?: unknown };
      conn.messages.push(message);
      if (conn.messages.length === 1) onStart(conn, message);
    });
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  // Node 20 has no WebSocket global and no location; the studio code needs both.
  (globalThis as { WebSocket: unknown }).WebSocket = BrowserLikeWebSocket;
  (globalThis as { location?: unknown }).location = { href: `http://127.0.0.1:${port}/terminals` };
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.detach();
  for (const conn of connections) conn.ws.terminate();
  connections = [];
  onStart = () => {};
});

afterAll(async () => {
  (globalThis as { WebSocket: unknown }).WebSocket = saved.WebSocket;
  (globalThis as { location?: unknown }).location = saved.location;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Sends a control frame (JSON text) to the client. */
function control(conn: Connection, message: unknown): void {
  conn.ws.send(JSON.stringify(message));
}

/** Answers init/attach with `ready` for the id asked (or `id` for a new session). */
function readyFor(id = 'new-1'): (conn: Connection, message: { type: string; data?: unknown }) => void {
  return (conn, message) => {
    const sessionId = message.type === 'attach' ? (message.data as { id: string }).id : id;
    control(conn, { type: 'ready', data: { id: sessionId, kind: 'local', title: 'bash' } });
  };
}

/** A socket whose handler calls are recorded. */
function open(start: ConstructorParameters<typeof TerminalSocket>[0], size = { cols: 80, rows: 24 }) {
  const log = {
    states: [] as SocketState[],
    ready: [] as { id: string; restored: boolean }[],
    errors: [] as { code: string; message: string; fatal: boolean }[],
    output: [] as Uint8Array[],
    exits: [] as (number | null)[],
  };
  const handlers: TerminalSocketHandlers = {
    ready: (session, restored) => log.ready.push({ id: session.id, restored }),
    output: (bytes, consumed) => {
      log.output.push(bytes);
      consumed();
    },
    exit: (code) => log.exits.push(code),
    error: (code, message, fatal) => log.errors.push({ code, message, fatal }),
    state: (state) => log.states.push(state),
    behind: () => {},
    held: () => {},
  };
  const socket = new TerminalSocket(start, size, handlers);
  sockets.push(socket);
  return { socket, log };
}

/** Waits until `check` holds, polling. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TerminalSocket', () => {
  it('connects to the terminal path of the page origin and starts the session it was given', async () => {
    onStart = readyFor('new-1');
    const { socket, log } = open({ init: { kind: 'local' } }, { cols: 100, rows: 30 });
    await until(() => log.ready.length === 1, 'ready');
    expect(connections[0]!.path).toBe(TERMINAL_WS_PATH);
    expect(connections[0]!.messages[0]).toEqual({ type: 'init', data: { kind: 'local', cols: 100, rows: 30 } });
    expect(log.ready).toEqual([{ id: 'new-1', restored: false }]);
    expect(socket.sessionId).toBe('new-1');
    expect(socket.state).toBe('open');
  });

  it('hands binary frames to the view as bytes (binaryType arraybuffer) and acknowledges them once shown', async () => {
    onStart = (conn, message) => {
      readyFor()(conn, message);
      conn.ws.send(Buffer.from([0x68, 0x69, 0x00, 0xff]), { binary: true });
    };
    const { log } = open({ attach: 's1' });
    await until(() => log.output.length === 1, 'output');
    expect(log.output[0]).toBeInstanceOf(Uint8Array);
    expect([...log.output[0]!]).toEqual([0x68, 0x69, 0x00, 0xff]);
    await until(() => connections[0]!.messages.some((m) => m.type === 'ack'), 'an ack');
    expect(connections[0]!.messages.filter((m) => m.type === 'ack')).toEqual([{ type: 'ack', data: 4 }]);
  });

  it('re-attaches to the same session after the server drops the connection', async () => {
    onStart = readyFor('new-7');
    const { socket, log } = open({ init: { kind: 'local' } });
    await until(() => log.ready.length === 1, 'first ready');
    connections[0]!.ws.terminate();
    await until(() => log.states.includes('reconnecting'), 'reconnecting');
    await until(() => log.ready.length === 2, 'ready after re-attaching');
    expect(connections).toHaveLength(2);
    // The new connection attaches to the session the first `ready` named instead of starting another.
    expect(connections[1]!.messages[0]).toEqual({ type: 'attach', data: { id: 'new-7' } });
    expect(log.ready[1]).toEqual({ id: 'new-7', restored: true });
    expect(socket.state).toBe('open');
    expect(log.states).toEqual(['open', 'reconnecting', 'open']);
    // No error reached the view: a drop is not the end.
    expect(log.errors).toEqual([]);
  });

  it('sends its size after re-attaching, and keystrokes typed while reconnecting once ready', async () => {
    onStart = readyFor();
    const { socket, log } = open({ attach: 's2' });
    await until(() => log.ready.length === 1, 'first ready');
    onStart = () => {}; // the next connection waits: the socket is reconnecting
    connections[0]!.ws.terminate();
    await until(() => connections.length === 2 && connections[1]!.messages.length === 1, 'the re-attach');
    socket.input('ls\r');
    socket.resize(120, 40);
    expect(connections[1]!.messages).toEqual([{ type: 'attach', data: { id: 's2' } }]);
    readyFor()(connections[1]!, connections[1]!.messages[0]!);
    await until(() => connections[1]!.messages.length >= 3, 'resize and input');
    expect(connections[1]!.messages.slice(1)).toEqual([
      { type: 'resize', data: { cols: 120, rows: 40 } },
      { type: 'input', data: 'ls\r' },
    ]);
  });

  it('backs off between attempts, waiting longer after each failed one, and again briefly once one succeeded', async () => {
    // Every connection is dropped before `ready`: each is a failed attempt.
    onStart = (conn) => conn.ws.terminate();
    const { log } = open({ attach: 's3' });
    // Four attempts, the last one's attach received (a connection opens before its first frame arrives).
    await until(() => connections.length === 4 && connections[3]!.messages.length > 0, 'four attempts', 20_000);
    const gaps = connections.slice(1).map((c, i) => c.at - connections[i]!.at);
    // The waits double (500, 1000, 2000 ms); each gap also holds a connection's latency, which a
    // loaded machine stretches, so each step is checked for half its growth rather than by ratio.
    expect(gaps[0]).toBeGreaterThan(100); // not at once: a dropped server is not hammered
    expect(gaps[1]! - gaps[0]!).toBeGreaterThan(250);
    expect(gaps[2]! - gaps[1]!).toBeGreaterThan(500);
    expect(log.states.at(-1)).toBe('reconnecting');
    expect(log.errors).toEqual([]);
    // Each attempt attaches to the same session.
    expect(connections.map((c) => c.messages[0])).toEqual(Array.from({ length: 4 }, () => ({ type: 'attach', data: { id: 's3' } })));

    // A `ready` resets the count: the next drop is retried as soon as the first one was.
    onStart = readyFor();
    await until(() => log.ready.length === 1, 'ready', 20_000);
    const before = connections.length;
    const droppedAt = performance.now();
    connections.at(-1)!.ws.terminate();
    await until(() => connections.length === before + 1, 'the re-attach after a good connection');
    expect(connections.at(-1)!.at - droppedAt).toBeLessThan(gaps[1]!);
  }, 30_000);

  it('gives up after many failed attempts in a row, reporting the connection lost', async () => {
    // Only the socket's reconnect timer is faked; the sockets themselves are real (polled with setImmediate).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const tick = () => new Promise<void>((r) => setImmediate(r));
    try {
      onStart = (conn) => conn.ws.terminate();
      const { log } = open({ attach: 's10' });
      // Let the real sockets connect and drop, then move the clock far beyond any backoff, until it gives up.
      for (let round = 0; log.errors.length === 0; round++) {
        if (round > 20_000) throw new Error(`never gave up (${connections.length} attempts)`);
        await tick();
        if (round % 20 === 0) await vi.advanceTimersByTimeAsync(10_000);
      }
      const attempts = connections.length;
      expect(attempts).toBeGreaterThan(3);
      expect(log.errors).toEqual([{ code: SOCKET_ERROR.DISCONNECTED, message: expect.any(String), fatal: true }]);
      expect(log.states.at(-1)).toBe('closed');
      await vi.advanceTimersByTimeAsync(60_000);
      for (let n = 0; n < 200; n++) await tick();
      expect(connections).toHaveLength(attempts);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives up on close code 1013 (try again later), reporting the reason, without reconnecting', async () => {
    onStart = (conn) => conn.ws.close(WS_CLOSE_TRY_AGAIN_LATER, 'Too many terminals (10)');
    const { socket, log } = open({ attach: 's4' });
    await until(() => log.errors.length === 1, 'the error');
    expect(log.errors).toEqual([{ code: SOCKET_ERROR.TOO_MANY_SESSIONS, message: 'Too many terminals (10)', fatal: true }]);
    expect(socket.state).toBe('closed');
    await sleep(1_500);
    expect(connections).toHaveLength(1);
    expect(log.states).toEqual(['closed']);
  });

  it('gives up when the server answers the attach with SESSION_NOT_FOUND', async () => {
    onStart = (conn) => control(conn, { type: 'error', data: { code: 'SESSION_NOT_FOUND', error: 'No terminal session s5' } });
    const { socket, log } = open({ attach: 's5' });
    await until(() => log.errors.length === 1, 'the error');
    expect(log.errors).toEqual([{ code: 'SESSION_NOT_FOUND', message: 'No terminal session s5', fatal: true }]);
    expect(socket.state).toBe('closed');
    // The socket closes its side, and does not come back.
    await until(() => connections[0]!.ws.readyState === NodeWebSocket.CLOSED, 'the client closing');
    await sleep(1_500);
    expect(connections).toHaveLength(1);
    expect(log.ready).toEqual([]);
  });

  it('reports an error after ready without giving up the session', async () => {
    onStart = (conn, message) => {
      readyFor()(conn, message);
      control(conn, { type: 'error', data: { code: 'BAD_FRAME', error: 'Frames must be JSON' } });
    };
    const { socket, log } = open({ attach: 's6' });
    await until(() => log.errors.length === 1, 'the error');
    expect(log.errors).toEqual([{ code: 'BAD_FRAME', message: 'Frames must be JSON', fatal: false }]);
    expect(socket.state).toBe('open');
  });

  it('stops on a normal close of its session (another viewer closed it)', async () => {
    onStart = (conn, message) => {
      readyFor()(conn, message);
      setTimeout(() => conn.ws.close(WS_CLOSE_NORMAL, ''), 20);
    };
    const { socket, log } = open({ attach: 's7' });
    await until(() => log.errors.length === 1, 'the error');
    expect(log.errors[0]).toMatchObject({ code: SOCKET_ERROR.SESSION_CLOSED, fatal: true });
    expect(socket.state).toBe('closed');
    await sleep(1_500);
    expect(connections).toHaveLength(1);
  });

  it('does not reconnect after the process exited or after detach, and retry() re-attaches', async () => {
    onStart = (conn, message) => {
      readyFor()(conn, message);
      control(conn, { type: 'exit', data: { code: 0, signal: null } });
    };
    const exited = open({ attach: 's8' });
    await until(() => exited.log.exits.length === 1, 'exit');
    connections[0]!.ws.terminate();
    await until(() => exited.socket.state === 'closed', 'closed after exit');

    onStart = readyFor();
    const detached = open({ attach: 's9' });
    await until(() => detached.log.ready.length === 1, 'ready');
    detached.socket.detach();
    await until(() => detached.socket.state === 'closed', 'closed after detach');
    await sleep(1_500);
    expect(connections).toHaveLength(2);
    expect(exited.log.errors).toEqual([]);
    expect(detached.log.errors).toEqual([]);

    // After giving up, retry() connects again, attaching to the same session.
    detached.socket.retry();
    await until(() => detached.log.ready.length === 2, 'ready after retry');
    expect(connections.at(-1)!.messages[0]).toEqual({ type: 'attach', data: { id: 's9' } });
  });
});
