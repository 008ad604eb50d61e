import { join } from 'node:path';
import type { Capability } from '../context.js';
import { resolveProjectDir } from '../fs/project-dir.js';
import { MCP_CHECK_TIMEOUT_MS, TOOL_ROUTE_RATE_LIMIT } from '../limits.js';
import type { AtelierMcpServer } from '../wire/mcp.js';
import { mcpRoutes } from '../wire/routes/mcp.js';
import { currentPaths, McpConfigurator } from './configure.js';
import { editorInfos } from './editors.js';
import type { McpHub } from './hub.js';
import { registryView } from './registry-view.js';
import { mcpMigrations } from './migrations.js';
import { loadRegistry } from './registry.js';
import { checkServers, findConfiguredServers, type FoundServer } from './status.js';
import type { StoredMcpServer } from './store.js';

const tag = 'mcp';

/** One of Atelier's servers as answered: what it runs (secrets masked) and whether it runs. */
function serverView(server: StoredMcpServer, hub: McpHub): AtelierMcpServer {
  const shown = server.shown;
  return {
    name: server.name,
    server: server.registryId,
    transport: shown.transport,
    ...(shown.transport === 'stdio' ? { command: shown.command, args: shown.args, env: shown.env } : { url: shown.url, headers: shown.headers }),
    enabled: server.enabled,
    created_at: server.createdAt,
    updated_at: server.updatedAt,
    ...hub.state(server.name),
  };
}

/** MCP (SPEC §7 "LSP, MCP, skills"): the registry, editor config writing, live status, Atelier's own servers. */
export const mcpCapability: Capability = {
  name: 'mcp',
  migrations: mcpMigrations,
  register({ api, ctx, services }) {
    const registry = loadRegistry();
    const hub = services.mcp;
    const atelierPath = join(ctx.paths.dataDir, 'atelier.db');
    const configurator = new McpConfigurator({ registry, hub, atelierPath });

    api.route(mcpRoutes.registry, {
      tag,
      summary: 'Curated MCP servers (inputs, secrets, transports, the command Atelier writes) and the editors it writes to',
      handler: () => ({ servers: registry.map(registryView), editors: editorInfos(currentPaths(), atelierPath) }),
    });

    api.route(mcpRoutes.configure, {
      tag,
      summary: "Write a registry server into an editor's own config file (everything else kept, backup made) or into Atelier's own list",
      handler: ({ body }) => configurator.configure(body),
    });

    api.route(mcpRoutes.remove, {
      tag,
      summary: "Remove a server from an editor's config file (everything else kept, backup made) or from Atelier's own list",
      handler: ({ body }) => configurator.remove(body),
    });

    api.route(mcpRoutes.status, {
      tag,
      rateLimit: TOOL_ROUTE_RATE_LIMIT,
      summary: "Every MCP server in the editors' files (and the project's, with project_dir) and Atelier's, each checked live: connect, list tools",
      handler: async ({ query }) => {
        const p = currentPaths();
        const projectDir = query.project_dir === undefined ? undefined : await resolveProjectDir(query.project_dir, p.home);
        const { servers, files } = findConfiguredServers(p, projectDir);
        const own: FoundServer[] = hub.store.list().map((s) => ({
          editor: 'atelier',
          scope: 'user',
          path: atelierPath,
          server: { name: s.name, launch: s.launch, disabled: !s.enabled },
        }));
        const checked = await checkServers([...servers, ...own], query.timeout_ms ?? MCP_CHECK_TIMEOUT_MS);
        return { servers: checked, files, checked_at: new Date().toISOString() };
      },
    });

    api.route(mcpRoutes.servers, {
      tag,
      summary: "Atelier's own MCP servers: what each runs (secrets masked), enabled, running, its chat tools",
      handler: () => ({ servers: hub.store.list().map((s) => serverView(s, hub)) }),
    });

    api.route(mcpRoutes.updateServer, {
      tag,
      summary: "Enable or disable one of Atelier's MCP servers (disabled: stopped, its tools leave the chat)",
      handler: async ({ params, body }) => {
        const server = hub.store.setEnabled(params.name, body.enabled);
        if (!body.enabled) await hub.invalidate(params.name);
        return serverView(server, hub);
      },
    });
  },
};
