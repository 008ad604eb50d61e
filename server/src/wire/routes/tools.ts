/** Routes of the tools capability (SPEC §7 "Tools & images"). */
import { z } from 'zod';
import type { Contract } from '../contract.js';
import { ToolCallRequestSchema, ToolInfoSchema, ToolResultSchema } from '../tools.js';
import { NoQuery } from './common.js';

export const toolsRoutes = {
  list: { method: 'get', path: '/api/tools/list', query: NoQuery, response: z.array(ToolInfoSchema) },
  call: { method: 'post', path: '/api/tool/call', body: ToolCallRequestSchema, response: ToolResultSchema },
} as const satisfies Record<string, Contract>;
