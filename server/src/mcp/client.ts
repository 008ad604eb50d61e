import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { loadedMcpSdk, loadMcpSdk, type McpSdk } from './sdk.js';
import { MCP_LIST_TOOLS_MAX_PAGES, MCP_STDERR_TAIL_BYTES } from '../limits.js';
import { TailBuffer } from '../tail-buffer.js';
import type { Launch } from './launch.js';

/** How Atelier introduces itself to MCP servers. */
const CLIENT_INFO = { name: 'atelier', version: '0.1.0' };

/** A live connection to one MCP server through the SDK. */
export interface McpConnection {
  client: Client;
  /** True once the process exited or the session ended. */
  readonly closed: boolean;
  /** Called once when the connection closes by itself or is closed. */
  onClose(listener: () => void): void;
  /** The process id of a stdio server (for a server run by npx: npx's, which forwards signals). */
  readonly pid: number | undefined;
  /** The last bytes the process wrote to stderr (empty for remote servers). */
  stderrTail(): string;
  /** Closes the session; a process that lingers gets SIGTERM, then SIGKILL. */
  close(): Promise<void>;
}

/** Where a stdio server runs. */
export interface ConnectOptions {
  /** Budget for spawn or connect plus the initialize handshake. */
  timeoutMs: number;
  cwd?: string | undefined;
  /** The environment a stdio server inherits (its entry's env goes on top); default this process's. */
  env?: NodeJS.ProcessEnv | undefined;
}

/** Thrown when a server cannot be reached; the message says why in a person's words. */
export class McpConnectError extends Error {
  override name = 'McpConnectError';
}

function inheritedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function transportFor(sdk: McpSdk, launch: Launch, options: ConnectOptions): { transport: Transport; stdio?: StdioClientTransport } {
  const { StdioClientTransport, SSEClientTransport, StreamableHTTPClientTransport } = sdk;
  if (launch.transport === 'stdio') {
    // Editors hand servers their whole environment (npx needs npm's settings, proxies, PATH);
    // the SDK's default would pass only HOME, PATH, SHELL, TERM, USER and LOGNAME.
    const stdio = new StdioClientTransport({
      command: launch.command,
      args: launch.args,
      env: { ...inheritedEnv(options.env ?? process.env), ...launch.env },
      stderr: 'pipe',
      ...(options.cwd !== undefined && { cwd: options.cwd }),
    });
    return { transport: stdio, stdio };
  }
  const requestInit = { headers: launch.headers };
  const url = new URL(launch.url);
  return { transport: launch.transport === 'sse' ? new SSEClientTransport(url, { requestInit }) : new StreamableHTTPClientTransport(url, { requestInit }) };
}

function withStderr(message: string, tail: string): string {
  const trimmed = tail.trim();
  return trimmed ? `${message}. stderr: ${trimmed}` : message;
}

/** A person-readable reason for a failed connect or call. */
export function describeFailure(err: unknown, launch: Launch, tail: string, timedOutMs?: number): string {
  if (timedOutMs !== undefined) return withStderr(`No answer within ${timedOutMs} ms; the server was stopped`, tail);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (launch.transport === 'stdio' && code === 'ENOENT') return `Command not found: ${launch.command}`;
  if (launch.transport === 'stdio' && code === 'EACCES') return `Permission denied running ${launch.command}`;
  const sdk = loadedMcpSdk();
  const mcpCode = sdk && err instanceof sdk.McpError ? err.code : undefined;
  if (sdk && mcpCode === sdk.ErrorCode.ConnectionClosed) {
    return launch.transport === 'stdio' ? withStderr('The server exited before answering', tail) + (tail.trim() ? '' : ' (nothing on stderr)') : 'The server closed the connection';
  }
  if (sdk && mcpCode === sdk.ErrorCode.RequestTimeout) return withStderr('The server did not answer in time', tail);
  // fetch's "fetch failed" hides the reason (ECONNREFUSED, a DNS miss, a bad certificate) in `cause`.
  const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return withStderr(err instanceof Error ? `${err.message}${cause}` : String(err), tail);
}

/**
 * Starts (stdio) or reaches (http, sse) a server and completes the initialize handshake within
 * `timeoutMs`. On any failure the process is stopped before this throws McpConnectError.
 */
export async function connectMcp(launch: Launch, options: ConnectOptions): Promise<McpConnection> {
  const sdk = await loadMcpSdk();
  const { transport, stdio } = transportFor(sdk, launch, options);
  const stderr = new TailBuffer(MCP_STDERR_TAIL_BYTES);
  stdio?.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const client = new sdk.Client(CLIENT_INFO, { capabilities: {} });
  const listeners: (() => void)[] = [];
  let closed = false;
  const markClosed = (): void => {
    if (closed) return;
    closed = true;
    for (const listener of listeners.splice(0)) listener();
  };
  client.onclose = markClosed;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // SIGTERM at once: the SDK would first wait 2 s for the server to leave on its own.
      const pid = stdio?.pid;
      if (pid) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      await client.close().catch(() => {});
      markClosed();
    })();
    return closing;
  };
  const connection: McpConnection = {
    client,
    get closed() {
      return closed;
    },
    onClose: (listener) => {
      if (closed) listener();
      else listeners.push(listener);
    },
    get pid() {
      return stdio?.pid ?? undefined;
    },
    stderrTail: () => stderr.text(),
    close,
  };

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new McpConnectError(describeFailure(undefined, launch, stderr.text(), options.timeoutMs))), options.timeoutMs);
  });
  try {
    await Promise.race([client.connect(transport, { timeout: options.timeoutMs }), deadline]);
    return connection;
  } catch (err) {
    await close();
    // The process is gone: whatever it wrote to stderr has arrived.
    if (err instanceof McpConnectError) throw new McpConnectError(describeFailure(undefined, launch, stderr.text(), options.timeoutMs));
    throw new McpConnectError(describeFailure(err, launch, stderr.text()));
  } finally {
    clearTimeout(timer);
  }
}

/** Every tool the server offers, following pagination up to MCP_LIST_TOOLS_MAX_PAGES pages. */
export async function listAllTools(client: Client, timeoutMs: number): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MCP_LIST_TOOLS_MAX_PAGES; page++) {
    const result = await client.listTools(cursor === undefined ? undefined : { cursor }, { timeout: timeoutMs });
    tools.push(...result.tools);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return tools;
}
