import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { AppError } from '../http/errors.js';
import { TERMINAL_BAD_FRAMES_MAX } from '../limits.js';
import { WS_CLOSE_NORMAL, WS_CLOSE_POLICY_VIOLATION, WS_CLOSE_TRY_AGAIN_LATER } from '../wire/terminal-limits.js';
import { TerminalClientMessageSchema, type TerminalInit, type TerminalServerMessage } from '../wire/terminal.js';
import type { SessionManager } from './manager.js';
import type { TerminalProcess } from './process.js';
import type { TerminalSession, Viewer } from './session.js';
import { issuesText } from '../issues-text.js';

/** Starts the process an `init` asks for; throws AppError for a bad request. */
export type ProcessOpener = (init: TerminalInit) => Promise<TerminalProcess>;


/**
 * One WebSocket on /api/ws/terminal: the first valid frame is `init` or `attach`; then
 * input, resize and ack. Bad frames get an `error` message; the socket and server live on.
 */
export function handleTerminalSocket(ws: WebSocket, _req: IncomingMessage, manager: SessionManager, open: ProcessOpener, scrollback: () => number, log: Logger): void {
  let session: TerminalSession | undefined;
  let starting = false;
  let badFrames = 0;

  const send = (message: TerminalServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const fail = (code: string, error: string): void => {
    send({ type: 'error', data: { error, code } });
    if (++badFrames > TERMINAL_BAD_FRAMES_MAX) ws.close(WS_CLOSE_POLICY_VIOLATION, 'Too many invalid messages');
  };
  const viewer: Viewer = {
    output: (chunk, written) => {
      // ws calls back once the frame is written to the socket, or failed to be.
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true }, written);
      else written?.();
    },
    control: send,
  };

  const start = async (init: TerminalInit): Promise<void> => {
    manager.assertCapacity();
    const proc = await open(init);
    if (ws.readyState !== ws.OPEN) {
      proc.kill(); // the client left while we were starting
      return;
    }
    session = manager.add(init.kind, proc, { cols: init.cols, rows: init.rows, scrollback: scrollback() });
    session.addFreshViewer(viewer);
  };

  const attach = async (id: string): Promise<void> => {
    const target = manager.get(id);
    if (!target) throw new AppError(404, 'SESSION_NOT_FOUND', `No terminal session ${id} (it may have ended or expired)`);
    manager.cancelExpiry(target);
    session = target;
    await target.attach(viewer);
  };

  ws.on('message', (raw: RawData, isBinary: boolean) => {
    const arrivedAt = performance.now();
    if (isBinary) return fail('BAD_FRAME', 'Binary frames are not accepted; send JSON text frames');
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString());
    } catch {
      return fail('BAD_FRAME', 'Frames must be JSON');
    }
    const result = TerminalClientMessageSchema.safeParse(parsed);
    if (!result.success) {
      const where = issuesText(result.error.issues, 'frame');
      return fail('BAD_FRAME', `Invalid message: ${where}`);
    }
    const msg = result.data;
    if (msg.type === 'init' || msg.type === 'attach') {
      if (session || starting) return fail('ALREADY_STARTED', 'This socket already has a terminal; open another socket');
      starting = true;
      const work = msg.type === 'init' ? start(msg.data) : attach(msg.data.id);
      work
        .catch((err: unknown) => {
          if (err instanceof AppError && err.code === 'TOO_MANY_SESSIONS') {
            ws.close(WS_CLOSE_TRY_AGAIN_LATER, err.message.slice(0, 120));
            return;
          }
          const known = err instanceof AppError;
          if (!known) log.error({ err }, 'terminal start failed');
          send({ type: 'error', data: { error: known ? err.message : `Could not start the terminal: ${String((err as Error)?.message ?? err)}`, code: known ? err.code : 'START_FAILED' } });
        })
        .finally(() => (starting = false));
      return;
    }
    if (!session) return fail('NOT_STARTED', 'Send init or attach first');
    switch (msg.type) {
      case 'input':
        if (session.exited) return fail('SESSION_EXITED', 'The terminal has exited; input was not delivered');
        session.write(msg.data, arrivedAt);
        return;
      case 'resize':
        if (!session.exited) session.resize(msg.data.cols, msg.data.rows);
        return;
      case 'ack':
        session.ack(viewer, msg.data);
        return;
      case 'close':
        manager.close(session.id);
        ws.close(WS_CLOSE_NORMAL, 'Session closed');
        return;
    }
  });

  ws.on('close', () => session?.detach(viewer));
  ws.on('error', () => ws.terminate());
}
