/** Routes of the config capability (SPEC §7 "Configuration"): profile, BMAD and chat settings, providers, reset and generations. */
import { z } from 'zod';
import type { Contract } from '../contract.js';
import {
  BmadPatchSchema,
  BmadSchema,
  ConfigGenerationSchema,
  ProfilePatchSchema,
  ProfileSchema,
  ProviderIdParams,
  ProviderInputSchema,
  ProviderSchema,
  PublicConfigSchema,
  RollbackSchema,
} from '../config.js';
import { ChatSettingsSchema } from '../permissions.js';
import { NoBody, NoContentSchema, NoQuery } from './common.js';

export const configRoutes = {
  get: { method: 'get', path: '/api/config', query: NoQuery, response: PublicConfigSchema },
  profile: { method: 'put', path: '/api/config/profile', body: ProfilePatchSchema, response: ProfileSchema },
  bmad: { method: 'put', path: '/api/config/bmad', body: BmadPatchSchema, response: BmadSchema },
  chat: { method: 'put', path: '/api/config/chat', body: ChatSettingsSchema.partial(), response: ChatSettingsSchema },
  providers: { method: 'get', path: '/api/providers', query: NoQuery, response: z.array(ProviderSchema) },
  putProvider: { method: 'put', path: '/api/config/provider', body: ProviderInputSchema, response: ProviderSchema },
  deleteProvider: { method: 'delete', path: '/api/config/provider/:id', params: ProviderIdParams, response: NoContentSchema },
  reset: { method: 'post', path: '/api/config/reset', body: NoBody, response: PublicConfigSchema },
  generations: { method: 'get', path: '/api/config/generations', query: NoQuery, response: z.array(ConfigGenerationSchema) },
  rollback: { method: 'post', path: '/api/config/rollback', body: RollbackSchema, response: PublicConfigSchema },
} as const satisfies Record<string, Contract>;
