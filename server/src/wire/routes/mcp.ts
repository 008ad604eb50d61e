/** Routes of the MCP capability (SPEC §7 "LSP, MCP, skills"). */
import type { Contract } from '../contract.js';
import {
  AtelierMcpServerSchema,
  AtelierMcpServersResponseSchema,
  McpConfigureRequestSchema,
  McpConfigureResponseSchema,
  McpRegistryResponseSchema,
  McpRemoveRequestSchema,
  McpRemoveResponseSchema,
  McpServerParamsSchema,
  McpServerUpdateSchema,
  McpStatusQuerySchema,
  McpStatusResponseSchema,
} from '../mcp.js';
import { NoQuery } from './common.js';

export const mcpRoutes = {
  registry: { method: 'get', path: '/api/mcp/registry', query: NoQuery, response: McpRegistryResponseSchema },
  configure: { method: 'post', path: '/api/mcp/configure', body: McpConfigureRequestSchema, response: McpConfigureResponseSchema },
  remove: { method: 'post', path: '/api/mcp/remove', body: McpRemoveRequestSchema, response: McpRemoveResponseSchema },
  status: { method: 'get', path: '/api/mcp/status', query: McpStatusQuerySchema, response: McpStatusResponseSchema },
  servers: { method: 'get', path: '/api/mcp/servers', query: NoQuery, response: AtelierMcpServersResponseSchema },
  updateServer: { method: 'put', path: '/api/mcp/servers/:name', params: McpServerParamsSchema, body: McpServerUpdateSchema, response: AtelierMcpServerSchema },
} as const satisfies Record<string, Contract>;
