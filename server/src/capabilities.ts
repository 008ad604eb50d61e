/**
 * Every capability, in the order their migrations and routes are applied. Those with WebSocket
 * routes or start-up work register at start; the others load with the first request for one of
 * their routes, so an idle server holds their contracts and not their code (about 5 MB of RSS,
 * docs/performance.md). Their migrations still run at start: the database is whole from the first
 * request on, whichever capability serves it.
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
import type { Contract } from './wire/contract.js';
import { chatRoutes } from './wire/routes/chat.js';
import { lspRoutes } from './wire/routes/lsp.js';
import { mcpRoutes } from './wire/routes/mcp.js';
import { permissionsRoutes } from './wire/routes/permissions.js';
import { providersRoutes } from './wire/routes/providers.js';
import { skillsRoutes } from './wire/routes/skills.js';
import { toolsRoutes } from './wire/routes/tools.js';
import { workflowRoutes } from './wire/routes/workflow.js';
import { workflowMigrations } from './workflow/migrations.js';

const lazy = (name: string, migrations: LazyCapability['migrations'], routes: Record<string, Contract>, load: LazyCapability['load']): LazyCapability => ({
  name,
  migrations,
  routes: Object.values(routes),
  load,
});

/**
 * Registered at start: the sign-in, the machine scan (it starts at boot), settings, and terminals
 * (a WebSocket route). Loaded on first use: the rest. A workflow run left running by a previous
 * server is marked interrupted when workflows load, before their first request is answered.
 */
export function capabilities(guard: GuardOptions): readonly (StartCapability | LazyCapability)[] {
  return [
    authCapability(guard),
    systemCapability,
    configCapability,
    lazy('providers', providersMigrations, providersRoutes, async () => (await import('./providers/routes.js')).providersCapability),
    lazy('permissions', permissionMigrations, permissionsRoutes, async () => (await import('./permissions/routes.js')).permissionsCapability),
    terminalCapability,
    lazy('tools', [], toolsRoutes, async () => (await import('./tools/routes.js')).toolsCapability),
    lazy('chat', chatMigrations, chatRoutes, async () => (await import('./chat/routes.js')).chatCapability),
    lazy('workflow', workflowMigrations, workflowRoutes, async () => (await import('./workflow/routes.js')).workflowCapability),
    lazy('skills', [], skillsRoutes, async () => (await import('./skills/routes.js')).skillsCapability),
    lazy('lsp', [], lspRoutes, async () => (await import('./lsp/routes.js')).lspCapability),
    lazy('mcp', mcpMigrations, mcpRoutes, async () => (await import('./mcp/routes.js')).mcpCapability),
  ];
}
