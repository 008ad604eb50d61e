import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InitializeResult } from 'vscode-languageserver-protocol/node';
import { signalChild, type Lifecycle } from '../lifecycle.js';
import { LSP_EXIT_GRACE_MS, LSP_STDERR_TAIL_BYTES } from '../limits.js';
import { TailBuffer } from '../tail-buffer.js';

/** How to run one handshake. */
export interface HandshakeOptions {
  file: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** The whole exchange, spawn to exit; past it the process group is killed. */
  timeoutMs: number;
  clientVersion: string;
  lifecycle?: Lifecycle;
}

/** What the handshake showed. */
export interface HandshakeOutcome {
  ok: boolean;
  latency_ms: number | null;
  total_ms: number;
  server_info: { name: string; version: string | null } | null;
  capabilities: string[];
  error: string | null;
  timed_out: boolean;
  exit_code: number | null;
  stderr_tail: string | null;
}

/** Capability keys that are truthy and name a provider, sorted: what the studio lists as "supports". */
export function summarizeCapabilities(capabilities: Record<string, unknown> | undefined): string[] {
  return Object.entries(capabilities ?? {})
    .filter(([key, value]) => key.endsWith('Provider') && Boolean(value))
    .map(([key]) => key)
    .sort();
}

const delay = (ms: number): Promise<'late'> => new Promise((resolve) => setTimeout(() => resolve('late'), ms).unref());

/** The step the client was at, to say where a server stopped answering. */
type Stage = 'initialize' | 'shutdown';

/**
 * A real LSP handshake over stdio: spawn the server in a process group of its own, in an
 * empty temporary root, then initialize → initialized → shutdown → exit. Answers how long
 * initialize took, the serverInfo and the providers it announced. A server that hangs is killed
 * with its group when the timeout passes; one that exits early is reported with its exit code
 * and the tail of its stderr. Never throws.
 */
export async function handshake(options: HandshakeOptions): Promise<HandshakeOutcome> {
  const started = Date.now();
  // Loaded on first use: ~180 ms of modules a start of Atelier should not pay.
  const { createProtocolConnection, ExitNotification, InitializedNotification, InitializeRequest, ResponseError, ShutdownRequest, StreamMessageReader, StreamMessageWriter } = await import(
    'vscode-languageserver-protocol/node'
  );
  const root = await mkdtemp(join(tmpdir(), 'atelier-lsp-root-'));
  const group = process.platform !== 'win32';
  const stderr = new TailBuffer(LSP_STDERR_TAIL_BYTES);
  const base: HandshakeOutcome = { ok: false, latency_ms: null, total_ms: 0, server_info: null, capabilities: [], error: null, timed_out: false, exit_code: null, stderr_tail: null };
  const finish = async (outcome: Partial<HandshakeOutcome>, withStderr: boolean): Promise<HandshakeOutcome> => {
    await rm(root, { recursive: true, force: true }).catch(() => {});
    const tailText = withStderr ? stderr.text().trim() : '';
    return { ...base, ...outcome, total_ms: Date.now() - started, stderr_tail: tailText || null };
  };

  let child: ChildProcess;
  try {
    child = spawn(options.file, [...options.args], { cwd: root, env: options.env, stdio: ['pipe', 'pipe', 'pipe'], detached: group, windowsHide: true });
  } catch (err) {
    return finish({ error: `could not start ${options.file}: ${(err as Error).message}` }, false);
  }
  options.lifecycle?.track(child, { group });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  // Writing to a server that already exited raises EPIPE on stdin; the exit is what we report.
  child.stdin!.on('error', () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let spawnError: Error | null = null;
  const spawnFailed = new Promise<Error>((resolve) =>
    child.once('error', (err) => {
      spawnError = err;
      resolve(err);
    }),
  );

  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.onError(() => {});
  // Requests servers commonly send while starting; answering keeps them from waiting on us.
  connection.onRequest('workspace/configuration', (params: { items?: unknown[] }) => (params.items ?? []).map(() => null));
  connection.onRequest('workspace/workspaceFolders', () => [{ uri: pathToFileURL(root).href, name: 'atelier-health' }]);
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();

  let stage: Stage = 'initialize';
  let latency: number | null = null;
  let initialized: InitializeResult | null = null;
  let shutdownAnswered = false;
  const conversation = async (): Promise<InitializeResult> => {
    const sent = Date.now();
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'atelier-health' }],
      capabilities: {},
      clientInfo: { name: 'Atelier', version: options.clientVersion },
    });
    latency = Date.now() - sent;
    initialized = result;
    await connection.sendNotification(InitializedNotification.type, {});
    stage = 'shutdown';
    await connection.sendRequest(ShutdownRequest.type);
    shutdownAnswered = true;
    await connection.sendNotification(ExitNotification.type);
    return result;
  };

  type Race = { kind: 'done'; result: InitializeResult } | { kind: 'failed'; error: unknown } | { kind: 'exited' } | { kind: 'spawn'; error: Error } | { kind: 'timeout' };
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race<Race>([
    conversation().then(
      (result) => ({ kind: 'done', result }),
      (error: unknown) => ({ kind: 'failed', error }),
    ),
    exited.then(() => ({ kind: 'exited' })),
    spawnFailed.then((error) => ({ kind: 'spawn', error })),
    new Promise<Race>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout' }), options.timeoutMs);
    }),
  ]);
  clearTimeout(timer);

  const killGroup = async (): Promise<void> => {
    signalChild(child, group, 'SIGKILL');
    await Promise.race([exited, delay(LSP_EXIT_GRACE_MS)]);
  };
  const dispose = (): void => {
    connection.dispose();
    child.stdin?.destroy();
    child.stdout?.destroy();
    child.stderr?.destroy();
  };

  // A server may exit on `exit` before the write of that notification is acknowledged: still a success.
  const succeeded = outcome.kind === 'done' ? outcome.result : shutdownAnswered ? initialized : null;
  if (succeeded) {
    // A well-behaved server exits after `exit`; whatever it left running goes with its group.
    const left = await Promise.race([exited, delay(LSP_EXIT_GRACE_MS)]);
    signalChild(child, group, 'SIGKILL');
    dispose();
    const info = succeeded.serverInfo;
    return finish(
      {
        ok: true,
        latency_ms: latency,
        server_info: info ? { name: info.name, version: info.version ?? null } : null,
        capabilities: summarizeCapabilities(succeeded.capabilities as Record<string, unknown>),
        exit_code: left === 'late' ? null : left.code,
      },
      false,
    );
  }

  // The write of initialize may fail before the spawn error arrives: either way the server never started.
  await Promise.race([spawnFailed, delay(outcome.kind === 'failed' ? 50 : 0)]);
  const notStarted: Error | null = outcome.kind === 'spawn' ? outcome.error : spawnError;
  if (notStarted) {
    dispose();
    return finish({ error: `could not start ${options.file}: ${notStarted.message}` }, false);
  }

  if (outcome.kind === 'timeout') {
    await killGroup();
    dispose();
    return finish({ timed_out: true, latency_ms: latency, error: `no answer to ${stage} within ${options.timeoutMs} ms; the server was killed` }, true);
  }

  // Failed or exited: a request rejected because the stream closed is an exit seen from the other side.
  const exit = await Promise.race([exited, delay(500)]);
  if (exit !== 'late') {
    await Promise.race([closed, delay(500)]);
    dispose();
    signalChild(child, group, 'SIGKILL');
    const how = exit.code !== null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
    return finish({ latency_ms: latency, exit_code: exit.code, error: `the server exited (${how}) before answering ${stage}` }, true);
  }
  await killGroup();
  dispose();
  const error: unknown = outcome.kind === 'failed' ? outcome.error : null;
  const message = error instanceof ResponseError ? `${stage} was refused: ${error.message} (code ${error.code})` : `${stage} failed: ${error instanceof Error ? error.message : 'unknown error'}`;
  return finish({ latency_ms: latency, error: message }, true);
}
