/**
 * The route table: every route of the API, by `"METHOD /path"`. The server registers a handler
 * for each (a test fails on a route missing from either side); the studio's client (`web/src/lib/api.ts`)
 * takes a route's body, query, params, answer and events from here. Import it as a type from the studio.
 */
import type { Contract } from '../contract.js';
import { chatRoutes } from './chat.js';
import { configRoutes } from './config.js';
import { lspRoutes } from './lsp.js';
import { mcpRoutes } from './mcp.js';
import { metaRoutes } from './meta.js';
import { permissionsRoutes } from './permissions.js';
import { providersRoutes } from './providers.js';
import { securityRoutes } from './security.js';
import { skillsRoutes } from './skills.js';
import { systemRoutes } from './system.js';
import { terminalRoutes } from './terminal.js';
import { toolsRoutes } from './tools.js';
import { workflowRoutes } from './workflow.js';

const groups = { metaRoutes, toolsRoutes, configRoutes, permissionsRoutes, providersRoutes, securityRoutes, chatRoutes, lspRoutes, mcpRoutes, skillsRoutes, systemRoutes, terminalRoutes, workflowRoutes };

/** Every contract, for the server's completeness test. */
export const allContracts: readonly Contract[] = Object.values(groups).flatMap((group) => Object.values(group) as Contract[]);

type Groups = typeof groups;
type AnyContract = { [G in keyof Groups]: Groups[G][keyof Groups[G]] }[keyof Groups];

/** `"GET /api/tools/list"` → its contract. */
export type RouteMap = { [C in AnyContract as `${Uppercase<C['method']>} ${C['path']}`]: C };
