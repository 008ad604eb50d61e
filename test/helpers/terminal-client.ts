import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import type { TerminalClientMessage, TerminalServerMessage } from '../../server/src/wire/terminal.js';

/**
 * A terminal WebSocket client for tests: collects output (binary frames) as text, keeps
 * control messages, acks what it receives unless told not to (`autoAck: false`).
 */
export class TerminalClient {
  readonly ws: WebSocket;
  output = '';
  bytes = 0;
  /** Every output byte as received, when constructed with `keepRaw` (for checksums). */
  readonly raw: Buffer[] = [];
  readonly messages: TerminalServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  autoAck: boolean;
  readonly #opened: Promise<void>;
  readonly #decoder = new TextDecoder();

  readonly #keepRaw: boolean;

  constructor(port: number, token: string, opts: { autoAck?: boolean; keepRaw?: boolean; headers?: Record<string, string> } = {}) {
    this.#keepRaw = opts.keepRaw ?? false;
    this.autoAck = opts.autoAck ?? true;
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws/terminal?token=${encodeURIComponent(token)}`, { headers: opts.headers, perMessageDeflate: false });
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        this.output += this.#decoder.decode(data, { stream: true });
        this.bytes += data.length;
        if (this.#keepRaw) this.raw.push(Buffer.from(data));
        if (this.autoAck) this.send({ type: 'ack', data: data.length });
      } else this.messages.push(JSON.parse(data.toString()));
    });
    this.ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.#opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('close', () => resolve());
    });
  }

  /** Resolves once the socket is open (or already closed by the server). */
  opened(): Promise<void> {
    return this.#opened;
  }

  send(message: TerminalClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Sends init and waits for `ready` (or an error / close). Returns the ready message's data. */
  async init(data: Record<string, unknown>): Promise<{ id: string; kind: string; title: string }> {
    await this.opened();
    this.send({ type: 'init', data: { cols: 80, rows: 24, ...data } });
    const msg = await this.waitForMessage((m) => m.type === 'ready' || m.type === 'error');
    if (msg.type !== 'ready') throw new Error(`init failed: ${JSON.stringify(msg)}`);
    return msg.data;
  }

  input(text: string): void {
    this.send({ type: 'input', data: text });
  }

  /** Waits until the output matches, failing with the output seen so far. */
  async waitForOutput(pattern: RegExp | string, timeoutMs = 10_000): Promise<void> {
    await this.#until(() => (typeof pattern === 'string' ? this.output.includes(pattern) : pattern.test(this.output)), timeoutMs, () => `output ${JSON.stringify(pattern)}; got: ${JSON.stringify(this.output.slice(-500))}`);
  }

  /** Waits for a control message matching `predicate` (including ones already received). */
  async waitForMessage(predicate: (m: TerminalServerMessage) => boolean, timeoutMs = 10_000): Promise<TerminalServerMessage> {
    let found: TerminalServerMessage | undefined;
    await this.#until(() => (found = this.messages.find(predicate)) !== undefined || this.closed !== null, timeoutMs, () => `a message; got ${JSON.stringify(this.messages)}`);
    if (!found) throw new Error(`socket closed (${JSON.stringify(this.closed)}) before the message arrived; got ${JSON.stringify(this.messages)}`);
    return found;
  }

  async waitForClose(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    await this.#until(() => this.closed !== null, timeoutMs, () => 'close');
    return this.closed!;
  }

  /** The output bytes from just after the first `marker` on, with their SHA-256 (needs `keepRaw`). */
  after(marker: string): { bytes: number; sha256: string } {
    const all = Buffer.concat(this.raw);
    const at = all.indexOf(marker);
    if (at === -1) throw new Error(`marker ${marker} not in the output`);
    const rest = all.subarray(at + marker.length);
    return { bytes: rest.length, sha256: createHash('sha256').update(rest).digest('hex') };
  }

  close(): void {
    this.ws.close();
  }

  async #until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
