import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type * as WsModule from 'ws';
import { lazyModule } from '../lazy-module.js';
import { WS_MAX_PAYLOAD_BYTES } from '../limits.js';
import type { AppError } from './errors.js';

/** Handles one accepted WebSocket. */
export type WsHandler = (socket: WebSocket, req: IncomingMessage) => void;


/** Writes a plain HTTP error on a socket that asked to upgrade, then closes it. */
export function refuseUpgrade(socket: Duplex, error: AppError): void {
  const body = JSON.stringify({ error: error.message, code: error.code });
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[error.status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${error.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Loaded with the first upgrade: an idle server that nobody opened a socket on never pays for it. */
const wsLib = lazyModule<typeof WsModule>('ws');

/**
 * WebSocket routes by path. The upgrade guard (security/) runs before `handleUpgrade`;
 * frames are never compressed: on loopback deflate halves throughput.
 */
export class WsRoutes {
  readonly #handlers = new Map<string, WsHandler>();
  #server: WebSocketServer | undefined;

  get #wss(): WebSocketServer {
    return (this.#server ??= new (wsLib().WebSocketServer)({ noServer: true, perMessageDeflate: false, maxPayload: WS_MAX_PAYLOAD_BYTES }));
  }

  /** Registers a handler for an exact path such as `/api/ws/terminal`. */
  route(path: string, handler: WsHandler): void {
    if (this.#handlers.has(path)) throw new Error(`WebSocket route ${path} registered twice`);
    this.#handlers.set(path, handler);
  }

  /** The handler for a request's path, if any. */
  handlerFor(req: IncomingMessage): WsHandler | undefined {
    return this.#handlers.get(new URL(req.url ?? '/', 'http://x').pathname);
  }

  /** Completes the upgrade and hands the socket to its route. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, handler: WsHandler): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => handler(ws, req));
  }

  /** Closes every open socket (shutdown). */
  close(): void {
    if (!this.#server) return;
    for (const client of this.#server.clients) client.terminate();
    this.#server.close();
  }
}
