/**
 * One terminal's WebSocket (`/api/ws/terminal`, protocol in wire/terminal.ts): starts or
 * attaches a session, carries input and resizes, hands output bytes to the view and
 * acknowledges them once shown, and re-attaches by itself when the connection drops.
 */
import type { TerminalClientMessage, TerminalInit, TerminalKind, TerminalServerMessage } from '$wire/terminal';
import { FLOW_CONTROL, TERMINAL_WS_PATH, WS_CLOSE_NORMAL, WS_CLOSE_POLICY_VIOLATION, WS_CLOSE_TRY_AGAIN_LATER } from '$wire/terminal-limits';
import { AckBatcher } from '$wire/terminal-acks';

/** First wait before re-attaching after a drop; doubles per failed attempt up to the max. */
const RECONNECT_DELAY_MS = 500;
const RECONNECT_MAX_DELAY_MS = 5_000;
/** Attempts before giving up (about two minutes at the max delay): the server is gone. */
const RECONNECT_MAX_ATTEMPTS = 30;
/** Keystrokes typed while (re)connecting are held up to this much, then dropped. */
const MAX_QUEUED_INPUT_CHARS = 64 * 1024;
/** A big paste goes out in frames of at most this many characters (the server takes up to 1 MiB per frame). */
const MAX_INPUT_FRAME_CHARS = 64 * 1024;
/**
 * Output received and not yet shown beyond this means the view is behind: halfway to the
 * server pausing the process (at HIGH_WATERMARK). Shown as a status, nothing else changes.
 */
const BEHIND_BYTES = FLOW_CONTROL.HIGH_WATERMARK_BYTES / 2;

/** What a socket starts with: a new session (size comes from the view), or an existing one. */
export type TerminalStart = { init: Omit<TerminalInit, 'cols' | 'rows'> } | { attach: string };

/** connecting: first connection · open: a session is shown · reconnecting: dropped, re-attaching · closed: for good. */
export type SocketState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The session a `ready` names. */
export interface SessionReady {
  id: string;
  kind: TerminalKind;
  title: string;
}

/** What the socket tells its owner. */
export interface TerminalSocketHandlers {
  /**
   * A session is shown. `restored`: it was attached, so the output that follows starts with
   * the serialized screen and scrollback; reset the terminal before writing it.
   */
  ready(session: SessionReady, restored: boolean): void;
  /** Output bytes; call `consumed` once they are written into the terminal (flow control). */
  output(bytes: Uint8Array, consumed: () => void): void;
  /** The process ended. */
  exit(code: number | null, signal: string | null): void;
  /** The server refused something; `fatal`: this socket has no session and is closed. */
  error(code: string, message: string, fatal: boolean): void;
  /** The connection state changed. */
  state(state: SocketState): void;
  /** The view fell behind the output (or caught up). */
  behind(behind: boolean): void;
  /** The session waits on another viewer that is behind (or runs again). */
  held(held: boolean): void;
}

/** Codes the socket reports itself, for ends the server could not put into words. */
export const SOCKET_ERROR = {
  /** Closed with 1013: the session cap is reached (message: the server's reason). */
  TOO_MANY_SESSIONS: 'TOO_MANY_SESSIONS',
  /** The connection could not be made or was lost for good. */
  DISCONNECTED: 'DISCONNECTED',
  /** Another viewer closed the session. */
  SESSION_CLOSED: 'SESSION_CLOSED',
} as const;

/** The socket URL for this page's origin (ws: or wss:). */
function socketUrl(): string {
  const url = new URL(TERMINAL_WS_PATH, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** One terminal session's connection; see the module comment. */
export class TerminalSocket {
  readonly #handlers: TerminalSocketHandlers;
  #start: TerminalStart;
  #size: { cols: number; rows: number };
  #ws: WebSocket | null = null;
  #acks: AckBatcher | null = null;
  #state: SocketState = 'connecting';
  /** The session shown, once a `ready` named it. */
  #sessionId: string | null = null;
  /** A `ready` arrived on the current WebSocket. */
  #ready = false;
  #exited = false;
  /** No more reconnecting: detached, ended, or refused for good. */
  #finished = false;
  #attempts = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #queued: string[] = [];
  #queuedChars = 0;
  #unshownBytes = 0;
  #behind = false;
  #endOnReady = false;

  /** Connects at once; `size` is the terminal's size now (init needs it). */
  constructor(start: TerminalStart, size: { cols: number; rows: number }, handlers: TerminalSocketHandlers) {
    this.#start = start;
    this.#size = size;
    this.#handlers = handlers;
    if ('attach' in start) this.#sessionId = start.attach;
    this.#connect();
  }

  /** The session id, once known. */
  get sessionId(): string | null {
    return this.#sessionId;
  }

  /** Where the connection stands. */
  get state(): SocketState {
    return this.#state;
  }

  /** Sends keystrokes (held while connecting; dropped once the process exited). */
  input(data: string): void {
    if (this.#exited || this.#finished) return;
    if (this.#ready) return this.#sendInput(data);
    if (this.#queuedChars + data.length > MAX_QUEUED_INPUT_CHARS) return;
    this.#queued.push(data);
    this.#queuedChars += data.length;
  }

  /** The terminal's size changed (fit); the server resizes the process. */
  resize(cols: number, rows: number): void {
    if (cols === this.#size.cols && rows === this.#size.rows) return;
    this.#size = { cols, rows };
    if (this.#ready && !this.#exited) this.#send({ type: 'resize', data: { cols, rows } });
  }

  /** Leaves the session running (the server keeps it for the detach grace time) and closes the socket. */
  detach(): void {
    this.#finish();
    this.#ws?.close(WS_CLOSE_NORMAL, 'Detached');
  }

  /** Ends the session on the server (the tab was closed), then closes the socket. */
  end(): void {
    if (!this.#ready && this.#ws?.readyState === WebSocket.OPEN && !this.#finished) {
      // Starting: the session is about to exist; end it as soon as it does.
      this.#endOnReady = true;
      return;
    }
    this.#send({ type: 'close' });
    this.detach();
  }

  /** Connects again now (after it gave up, or to skip the wait). */
  retry(): void {
    if (!this.#sessionId || this.#exited) return;
    this.#finished = false;
    this.#attempts = 0;
    this.#start = { attach: this.#sessionId };
    clearTimeout(this.#reconnectTimer);
    this.#connect();
  }

  #connect(): void {
    if (this.#state === 'closed') this.#setState('reconnecting');
    const ws = new WebSocket(socketUrl());
    ws.binaryType = 'arraybuffer';
    const acks = new AckBatcher((bytes) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ack', data: bytes } satisfies TerminalClientMessage));
    });
    this.#ws = ws;
    this.#acks = acks;
    this.#ready = false;
    this.#unshownBytes = 0;
    this.#setBehind(false);

    ws.onopen = () => {
      const start: TerminalClientMessage =
        'init' in this.#start ? { type: 'init', data: { ...this.#start.init, ...this.#size } } : { type: 'attach', data: { id: this.#start.attach } };
      ws.send(JSON.stringify(start));
    };
    ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (ws !== this.#ws) return;
      if (typeof event.data === 'string') this.#control(event.data);
      else this.#output(new Uint8Array(event.data), acks);
    };
    ws.onclose = (event) => {
      acks.dispose();
      if (ws === this.#ws) this.#closed(event);
    };
  }

  #control(text: string): void {
    let message: TerminalServerMessage;
    try {
      message = JSON.parse(text) as TerminalServerMessage;
    } catch {
      return; // The server only sends JSON; a broken frame carries nothing we could act on.
    }
    switch (message.type) {
      case 'ready': {
        const restored = 'attach' in this.#start;
        this.#sessionId = message.data.id;
        this.#ready = true;
        this.#attempts = 0;
        if (this.#endOnReady) return this.end();
        this.#setState('open');
        this.#handlers.ready(message.data, restored);
        // The session may have another size (another viewer, or this tab before a reload).
        if (restored && !this.#exited) this.#send({ type: 'resize', data: this.#size });
        for (const data of this.#queued.splice(0)) this.#sendInput(data);
        this.#queuedChars = 0;
        return;
      }
      case 'paused':
        this.#handlers.held(message.data.paused);
        return;
      case 'exit':
        this.#exited = true;
        this.#handlers.exit(message.data.code, message.data.signal);
        return;
      case 'error': {
        // Before `ready`, an error means this socket will never show a session.
        const fatal = !this.#ready;
        if (fatal) {
          this.#finish();
          this.#ws?.close(WS_CLOSE_NORMAL, 'No session');
          this.#setState('closed');
        }
        this.#handlers.error(message.data.code, message.data.error, fatal);
        return;
      }
    }
  }

  #output(bytes: Uint8Array, acks: AckBatcher): void {
    this.#unshownBytes += bytes.byteLength;
    if (this.#unshownBytes > BEHIND_BYTES) this.#setBehind(true);
    this.#handlers.output(bytes, () => {
      acks.consumed(bytes.byteLength);
      if (acks !== this.#acks) return;
      this.#unshownBytes -= bytes.byteLength;
      if (this.#unshownBytes <= BEHIND_BYTES) this.#setBehind(false);
    });
  }

  #closed(event: CloseEvent): void {
    this.#ready = false;
    if (this.#finished || this.#exited) {
      // Detached or ended by us, or the process is over: nothing to re-attach to.
      this.#finish();
      return this.#setState('closed');
    }
    if (event.code === WS_CLOSE_TRY_AGAIN_LATER) {
      this.#giveUp(SOCKET_ERROR.TOO_MANY_SESSIONS, event.reason || 'Too many terminal sessions');
    } else if (event.code === WS_CLOSE_NORMAL && this.#sessionId) {
      this.#giveUp(SOCKET_ERROR.SESSION_CLOSED, event.reason || 'Session closed');
    } else if (event.code === WS_CLOSE_POLICY_VIOLATION || !this.#sessionId) {
      this.#giveUp(SOCKET_ERROR.DISCONNECTED, event.reason || `Connection closed (${event.code})`);
    } else if (++this.#attempts > RECONNECT_MAX_ATTEMPTS) {
      this.#giveUp(SOCKET_ERROR.DISCONNECTED, event.reason || `Connection lost (${event.code})`);
    } else {
      this.#start = { attach: this.#sessionId };
      this.#setState('reconnecting');
      const delay = Math.min(RECONNECT_DELAY_MS * 2 ** (this.#attempts - 1), RECONNECT_MAX_DELAY_MS);
      this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
    }
  }

  #giveUp(code: string, message: string): void {
    this.#finish();
    this.#setState('closed');
    this.#handlers.error(code, message, true);
  }

  #finish(): void {
    this.#finished = true;
    clearTimeout(this.#reconnectTimer);
    this.#queued = [];
    this.#queuedChars = 0;
  }

  #sendInput(data: string): void {
    for (let start = 0; start < data.length; ) {
      let end = Math.min(start + MAX_INPUT_FRAME_CHARS, data.length);
      // Never split a surrogate pair: each half alone would arrive as U+FFFD.
      const last = data.charCodeAt(end - 1);
      if (end < data.length && last >= 0xd800 && last <= 0xdbff) end--;
      this.#send({ type: 'input', data: data.slice(start, end) });
      start = end;
    }
  }

  #send(message: TerminalClientMessage): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(message));
  }

  #setState(state: SocketState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#handlers.state(state);
  }

  #setBehind(behind: boolean): void {
    if (behind === this.#behind) return;
    this.#behind = behind;
    this.#handlers.behind(behind);
  }
}
