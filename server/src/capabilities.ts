/**
 * Every capability, in the order their migrations and routes are applied. Those with WebSocket
 * routes or start-up work register at start; the others load with the first request for one of
 * their routes, so an idle server holds neither their code nor their contracts' schemas
 * (docs/performance.md). Their migrations still run at start: the database is whole from the
 * first request on, whichever capability serves it.
 */
import type { LazyCapability, StartCapability } from './context.js';
import { chatMigrations } from './chat/migrations.js';
import { configCapability } from './config/routes.js';
import { mcpMigrations } from './mcp/migrations.js';
import { permissionMigrations } from './permissions/audit.js';
import { providersMigrations } from './providers/usage.js';
import { authCapability } from './security/routes.js';
import type { GuardOptions } from './security/guard.js';
import { systemCapability } from './system/routes.js';
import { terminalCapability } from './terminal/routes.js';
import { workflowMigrations } from './workflow/migrations.js';

/** A lazy capability; its load refuses code whose name or migrations differ from what is listed here (and migrated at start). */
export function lazy(name: string, migrations: LazyCapability['migrations'], prefixes: LazyCapability['prefixes'], load: LazyCapability['load']): LazyCapability {
  return {
    name,
    migrations,
    prefixes,
    async load() {
      const loaded = await load();
      const theirs = loaded.migrations ?? [];
      if (loaded.name !== name || theirs.length !== migrations.length || theirs.some((m, i) => m !== migrations[i])) {
        throw new Error(`capabilities.ts lists ${name} with another name or other migrations than its code has`);
      }
      return loaded;
    },
  };
}

/**
 * Registered at start: the sign-in, the machine scan (it starts at boot), settings, and terminals
 * (a WebSocket route). Loaded on first use: the rest, each with the first request under one of its
 * path prefixes that no route registered at start answers (GET /api/tools is the scan's, the rest
 * of /api/tools the tools'; /api/chat/approve is the permissions' as the longest prefix). A
 * workflow run left running by a previous server is marked interrupted when workflows load,
 * before their first request is answered.
 */
export function capabilities(guard: GuardOptions): readonly (StartCapability | LazyCapability)[] {
  return [
    authCapability(guard),
    systemCapability,
    configCapability,
    lazy('providers', providersMigrations, ['/api/providers'], async () => (await import('./providers/routes.js')).providersCapability),
    lazy('permissions', permissionMigrations, ['/api/permissions', '/api/chat/approve'], async () => (await import('./permissions/routes.js')).permissionsCapability),
    terminalCapability,
    lazy('tools', [], ['/api/tools', '/api/tool'], async () => (await import('./tools/routes.js')).toolsCapability),
    lazy('chat', chatMigrations, ['/api/chat', '/api/conversations', '/api/images'], async () => (await import('./chat/routes.js')).chatCapability),
    lazy('workflow', workflowMigrations, ['/api/workflow'], async () => (await import('./workflow/routes.js')).workflowCapability),
    lazy('skills', [], ['/api/skills'], async () => (await import('./skills/routes.js')).skillsCapability),
    lazy('lsp', [], ['/api/lsp'], async () => (await import('./lsp/routes.js')).lspCapability),
    lazy('mcp', mcpMigrations, ['/api/mcp'], async () => (await import('./mcp/routes.js')).mcpCapability),
  ];
}
