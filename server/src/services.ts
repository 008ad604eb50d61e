/**
 * What several capabilities share, built once per server by app.ts and handed to each: the
 * toolbox (its agent slots hold across the tools route, the chat and workflows), the MCP hub
 * (one process per enabled server) and the permission system (one audit, one set of waiting approvals).
 */
import type { AppContext } from './context.js';
import { createMcpHub, type McpHub } from './mcp/hub.js';
import { Permissions } from './permissions/service.js';
import { createToolbox, type Toolbox } from './tools/registry.js';

export interface Services {
  toolbox: Toolbox;
  mcp: McpHub;
  permissions: Permissions;
}

/** Builds the shared services; the database must be migrated first. */
export function createServices(ctx: AppContext): Services {
  return { toolbox: createToolbox(ctx), mcp: createMcpHub(ctx), permissions: new Permissions(ctx) };
}
