import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { loadMcpSdk } from './sdk.js';
import type { Logger } from 'pino';
import type { ToolOutcome } from '../tools/outcome.js';
import type { AppContext } from '../context.js';
import type { Lifecycle } from '../lifecycle.js';
import { MCP_CONNECT_TIMEOUT_MS, MCP_RESTART_BACKOFF_MS, MCP_TOOL_CALL_TIMEOUT_MS } from '../limits.js';
import type { ToolSpec } from '../providers/index.js';
import { connectMcp, describeFailure, listAllTools, type McpConnection } from './client.js';
import { McpServerStore, type StoredMcpServer } from './store.js';
import { chatToolName, uniqueToolName } from './tool-names.js';
import { toolOutcome } from './tool-result.js';

/** A started server: its connection and the tools it listed. */
interface Running {
  connection: McpConnection;
  tools: Tool[];
  /** `updated_at` of the stored server it was started from: a newer row means restart. */
  version: string;
}

/** What the hub knows of one server. */
interface Slot {
  running?: Running;
  starting?: Promise<Running>;
  failedAt?: number;
  error?: string;
}

/** Where a chat tool name leads. */
interface Target {
  server: string;
  tool: string;
}

/** Test seams; the server uses the limits. */
export interface McpHubOptions {
  connectTimeoutMs?: number;
  callTimeoutMs?: number;
  backoffMs?: number;
}

/** A server's state for GET /api/mcp/servers. */
export interface ServerState {
  state: 'stopped' | 'running' | 'failed';
  tools: string[];
  pid?: number;
  error?: string;
}

/**
 * Atelier's own MCP servers, live: each enabled server is started on first need (lazily, by the
 * chat asking for its tools), kept connected, restarted when it died, and closed at shutdown.
 * Its tools join the chat's tool loop as `mcp__<server>__<tool>`.
 */
export class McpHub {
  readonly #slots = new Map<string, Slot>();
  #names = new Map<string, Target>();
  readonly #connectTimeoutMs: number;
  readonly #callTimeoutMs: number;
  readonly #backoffMs: number;

  constructor(
    readonly store: McpServerStore,
    private readonly log: Logger,
    private readonly lifecycle: Lifecycle,
    options: McpHubOptions = {},
  ) {
    this.#connectTimeoutMs = options.connectTimeoutMs ?? MCP_CONNECT_TIMEOUT_MS;
    this.#callTimeoutMs = options.callTimeoutMs ?? MCP_TOOL_CALL_TIMEOUT_MS;
    this.#backoffMs = options.backoffMs ?? MCP_RESTART_BACKOFF_MS;
  }

  /**
   * The tools of every enabled server, starting those not running. A server that fails to start
   * is left out (and logged); it is tried again after MCP_RESTART_BACKOFF_MS.
   */
  async toolSpecs(): Promise<ToolSpec[]> {
    const servers = this.store.enabled();
    if (servers.length === 0 && this.#names.size === 0) return [];
    const started = await Promise.all(servers.map((s) => this.#ensure(s, false).then((r) => ({ server: s.name, running: r }), () => undefined)));
    const names = new Map<string, Target>();
    const specs: ToolSpec[] = [];
    for (const entry of started) {
      if (!entry) continue;
      for (const tool of entry.running.tools) {
        const name = uniqueToolName(chatToolName(entry.server, tool.name), new Set(names.keys()));
        names.set(name, { server: entry.server, tool: tool.name });
        const { $schema: _omitted, ...parameters } = tool.inputSchema as Record<string, unknown>;
        specs.push({ name, description: `(MCP server "${entry.server}") ${tool.description ?? tool.title ?? tool.name}`, parameters });
      }
    }
    this.#names = names;
    return specs;
  }

  /** Runs a chat tool call on its server (restarting the server if it died); failures are error outcomes the model reads. */
  async call(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutcome> {
    if (!this.#names.has(name)) await this.toolSpecs();
    const target = this.#names.get(name);
    if (!target) return { content: `No MCP tool named "${name}": its server is disabled, not running, or no longer offers it`, is_error: true };
    const stored = this.store.get(target.server);
    if (!stored?.enabled) return { content: `The MCP server "${target.server}" is disabled`, is_error: true };
    let running: Running;
    try {
      running = await this.#ensure(stored, true);
    } catch (err) {
      return { content: `The MCP server "${target.server}" could not start: ${err instanceof Error ? err.message : String(err)}`, is_error: true };
    }
    const started = Date.now();
    try {
      const result = await running.connection.client.callTool({ name: target.tool, arguments: args }, undefined, { signal, timeout: this.#callTimeoutMs });
      const outcome = toolOutcome(result);
      this.log.info({ server: target.server, tool: target.tool, ms: Date.now() - started, is_error: outcome.is_error }, 'mcp tool call');
      return outcome;
    } catch (err) {
      const why = describeFailure(err, stored.launch, running.connection.stderrTail());
      this.log.warn({ server: target.server, tool: target.tool, err: why }, 'mcp tool call failed');
      return { content: `The MCP tool ${target.tool} of "${target.server}" failed: ${why}`, is_error: true };
    }
  }

  /** Stops a server and forgets its failures: its row changed, was disabled or removed. */
  async invalidate(name: string): Promise<void> {
    const slot = this.#slots.get(name);
    this.#slots.delete(name);
    const running = slot?.running ?? (await slot?.starting?.catch(() => undefined));
    await running?.connection.close();
  }

  /** Whether a server runs, its chat tool names, its last start error. */
  state(name: string): ServerState {
    const slot = this.#slots.get(name);
    const tools = [...this.#names].filter(([, t]) => t.server === name).map(([n]) => n);
    const running = slot?.running;
    if (running && !running.connection.closed) return { state: 'running', tools, ...(running.connection.pid !== undefined && { pid: running.connection.pid }) };
    if (slot?.error !== undefined) return { state: 'failed', tools: [], error: slot.error };
    return { state: 'stopped', tools: [] };
  }

  /** Closes every connection (shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.#slots.keys()].map((name) => this.invalidate(name)));
  }

  async #ensure(server: StoredMcpServer, ignoreBackoff: boolean): Promise<Running> {
    let slot = this.#slots.get(server.name);
    if (slot?.running && slot.running.version !== server.updatedAt) {
      await this.invalidate(server.name);
      slot = undefined;
    }
    if (!slot) {
      slot = {};
      this.#slots.set(server.name, slot);
    }
    if (slot.running && !slot.running.connection.closed) return slot.running;
    if (slot.starting) return slot.starting;
    if (!ignoreBackoff && slot.failedAt !== undefined && Date.now() - slot.failedAt < this.#backoffMs) throw new Error(slot.error);
    if (this.lifecycle.closing) throw new Error('Atelier is shutting down');
    const owner = slot;
    owner.starting = this.#start(server, owner);
    try {
      owner.running = await owner.starting;
      delete owner.failedAt;
      delete owner.error;
      return owner.running;
    } catch (err) {
      owner.failedAt = Date.now();
      owner.error = err instanceof Error ? err.message : String(err);
      this.log.warn({ server: server.name, err: owner.error }, 'mcp server failed to start');
      throw err;
    } finally {
      delete owner.starting;
    }
  }

  async #start(server: StoredMcpServer, slot: Slot): Promise<Running> {
    const connection = await connectMcp(server.launch, { timeoutMs: this.#connectTimeoutMs });
    try {
      const running: Running = { connection, tools: await listAllTools(connection.client, this.#connectTimeoutMs), version: server.updatedAt };
      connection.client.setNotificationHandler((await loadMcpSdk()).ToolListChangedNotificationSchema, async () => {
        running.tools = await listAllTools(connection.client, this.#connectTimeoutMs).catch(() => running.tools);
      });
      connection.onClose(() => {
        if (slot.running === running) {
          delete slot.running;
          this.log.info({ server: server.name, stderr: connection.stderrTail().slice(-500) }, 'mcp server stopped; it restarts on next use');
        }
      });
      this.log.info({ server: server.name, tools: running.tools.length }, 'mcp server started');
      return running;
    } catch (err) {
      await connection.close();
      throw err;
    }
  }
}

/** The hub of a server, closed at shutdown; app.ts builds one (services.ts) for the chat, workflows and MCP routes. */
export function createMcpHub(ctx: Pick<AppContext, 'db' | 'log' | 'lifecycle'>): McpHub {
  const hub = new McpHub(new McpServerStore(ctx.db), ctx.log.child({ component: 'mcp-hub' }), ctx.lifecycle);
  ctx.lifecycle.onClose(() => hub.close());
  return hub;
}
