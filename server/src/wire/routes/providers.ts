/** Routes of the providers capability (SPEC §7 "Providers"): the catalog, validate, verify, quota and consumption. */
import { z } from 'zod';
import type { Contract } from '../contract.js';
import { ProviderIdParams } from '../config.js';
import {
  ConsumptionQuerySchema,
  ConsumptionSchema,
  ProviderKindInfoSchema,
  QuotaEntrySchema,
  QuotaQuerySchema,
  ValidateRequestSchema,
  ValidateResultSchema,
  VerifyRequestSchema,
  VerifyResultSchema,
} from '../providers.js';
import { NoQuery } from './common.js';

export const providersRoutes = {
  catalog: { method: 'get', path: '/api/providers/catalog', query: NoQuery, response: z.array(ProviderKindInfoSchema) },
  validate: { method: 'post', path: '/api/providers/validate', body: ValidateRequestSchema, response: ValidateResultSchema },
  quota: { method: 'get', path: '/api/providers/quota', query: QuotaQuerySchema, response: z.array(QuotaEntrySchema) },
  consumption: { method: 'get', path: '/api/providers/consumption', query: ConsumptionQuerySchema, response: ConsumptionSchema },
  verify: { method: 'post', path: '/api/providers/:id/verify', params: ProviderIdParams, body: VerifyRequestSchema, response: VerifyResultSchema },
} as const satisfies Record<string, Contract>;
