/** The API's own description. */
import { z } from 'zod';
import type { Contract } from '../contract.js';
import { NoQuery } from './common.js';

export const metaRoutes = {
  openapi: { method: 'get', path: '/api/openapi.json', query: NoQuery, response: z.record(z.string(), z.unknown()) },
} as const satisfies Record<string, Contract>;
