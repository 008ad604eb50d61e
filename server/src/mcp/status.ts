import { MCP_STATUS_CONCURRENCY } from '../limits.js';
import type { McpConfigFile, McpEditor, McpScope, McpStatusEntry } from '../wire/mcp.js';
import { connectMcp, describeFailure, listAllTools } from './client.js';
import { EDITOR_TARGETS, editorFile, type PathContext } from './editors.js';
import { readEditorConfig } from './editor-file.js';
import { readEntry, type ConfiguredServer } from './entries.js';
import type { Launch } from './launch.js';
import { mapPool } from '../map-pool.js';

/** One configured server to check, with where it was found. */
export interface FoundServer {
  editor: McpEditor;
  scope: McpScope;
  path: string;
  server: ConfiguredServer;
  /** Where a stdio server starts: the project for project files, as editors do. */
  cwd?: string;
}

/** Every server in every editor's files (user files; project files when `projectDir` is given). */
export function findConfiguredServers(p: PathContext, projectDir: string | undefined): { servers: FoundServer[]; files: McpConfigFile[] } {
  const servers: FoundServer[] = [];
  const files: McpConfigFile[] = [];
  for (const target of EDITOR_TARGETS) {
    for (const scope of ['user', 'project'] as const) {
      const path = editorFile(target, scope, p, projectDir);
      if (path === undefined) continue;
      const file: McpConfigFile = { editor: target.id, scope, path, exists: false, servers: 0 };
      files.push(file);
      try {
        const config = readEditorConfig(path, target.format, target.serversKey);
        file.exists = config.exists;
        const expand = { env: p.env, home: p.home, projectDir };
        for (const [name, raw] of Object.entries(config.servers)) {
          servers.push({ editor: target.id, scope, path, server: readEntry(name, raw, expand), ...(scope === 'project' && { cwd: projectDir }) });
          file.servers++;
        }
      } catch (err) {
        file.exists = true;
        file.error = err instanceof Error ? err.message : String(err);
      }
    }
  }
  return { servers, files };
}

/** What the status shows of a launch: the executable or the URL without its query (either may carry secrets past that). */
function shownTarget(launch: Launch): Pick<McpStatusEntry, 'command' | 'url'> {
  if (launch.transport === 'stdio') return { command: launch.command };
  try {
    const url = new URL(launch.url);
    return { url: `${url.origin}${url.pathname}` };
  } catch {
    return { url: launch.url.split('?')[0]! };
  }
}

/** Connects, lists the tools and closes; never throws, the failure is the answer. */
export async function checkServer(found: FoundServer, timeoutMs: number): Promise<McpStatusEntry> {
  const { server } = found;
  const base = { editor: found.editor, scope: found.scope, path: found.path, name: server.name };
  if (!server.launch) return { ...base, transport: 'unknown', ok: false, tools_count: null, latency_ms: 0, error: server.problem ?? 'nothing to start' };
  const launch = server.launch;
  const shown = { ...base, transport: launch.transport, ...shownTarget(launch) };
  if (server.disabled) return { ...shown, ok: false, tools_count: null, latency_ms: 0, disabled: true, error: 'Disabled in the editor; not started' };
  const started = Date.now();
  const deadline = started + timeoutMs;
  try {
    const connection = await connectMcp(launch, { timeoutMs, cwd: found.cwd });
    try {
      const tools = await listAllTools(connection.client, Math.max(deadline - Date.now(), 1));
      const info = connection.client.getServerVersion();
      return {
        ...shown,
        ok: true,
        tools_count: tools.length,
        tools: tools.map((t) => t.name),
        ...(info && { server_info: { name: info.name, version: info.version } }),
        latency_ms: Date.now() - started,
      };
    } catch (err) {
      return { ...shown, ok: false, tools_count: null, latency_ms: Date.now() - started, error: describeFailure(err, launch, connection.stderrTail()) };
    } finally {
      await connection.close();
    }
  } catch (err) {
    return { ...shown, ok: false, tools_count: null, latency_ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Checks every found server, MCP_STATUS_CONCURRENCY at a time. */
export function checkServers(found: readonly FoundServer[], timeoutMs: number): Promise<McpStatusEntry[]> {
  return mapPool(found, MCP_STATUS_CONCURRENCY, (f) => checkServer(f, timeoutMs));
}
