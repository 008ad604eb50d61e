import { z } from 'zod';
import type { Capability } from '../context.js';
import {
  BmadPatchSchema,
  BmadSchema,
  ProfilePatchSchema,
  ProfileSchema,
  ProviderIdSchema,
  ProviderInputSchema,
  ProviderSchema,
  RollbackSchema,
  type AtelierConfig,
  type PublicConfig,
} from '../wire/config.js';
import { ChatSettingsSchema, PermissionSettingsSchema } from '../wire/permissions.js';
import { assertActiveProviderExists, maskProvider, removeProvider, upsertProvider } from './providers.js';

const PublicConfigSchema = z.object({ profile: ProfileSchema, terminal: z.object({}).loose(), bmad: BmadSchema, permissions: PermissionSettingsSchema, chat: ChatSettingsSchema });

function publicConfig(config: AtelierConfig): PublicConfig {
  return { profile: config.profile, terminal: config.terminal, bmad: config.bmad, permissions: config.permissions, chat: config.chat };
}

/** Profile, BMAD settings, providers, reset and generations (SPEC §7 "Configuration"). */
export const configCapability: Capability = {
  name: 'config',
  register({ api, ctx }) {
    const store = ctx.config;
    const tag = 'config';

    api.route({ method: 'get', path: '/api/config', tag, summary: 'Profile, terminal and BMAD settings', response: PublicConfigSchema, handler: () => publicConfig(store.get()) });

    api.route({
      method: 'put',
      path: '/api/config/profile',
      tag,
      summary: 'Merge fields into the profile',
      body: ProfilePatchSchema,
      response: ProfileSchema,
      handler: ({ body }) =>
        store.update('profile', (c) => {
          const next = { ...c, profile: { ...c.profile, ...body } };
          assertActiveProviderExists(next);
          return next;
        }).profile,
    });

    api.route({
      method: 'put',
      path: '/api/config/bmad',
      tag,
      summary: 'Merge fields into the BMAD-method settings',
      body: BmadPatchSchema,
      response: BmadSchema,
      handler: ({ body }) => store.update('bmad', (c) => ({ ...c, bmad: { ...c.bmad, ...body } })).bmad,
    });

    api.route({
      method: 'put',
      path: '/api/config/chat',
      tag,
      summary: 'Merge fields into the chat settings (detach_grace_s)',
      body: ChatSettingsSchema.partial(),
      response: ChatSettingsSchema,
      handler: ({ body }) => store.update('chat', (c) => ({ ...c, chat: { ...c.chat, ...body } })).chat,
    });

    api.route({
      method: 'get',
      path: '/api/providers',
      tag,
      summary: 'AI providers, keys masked as "***"',
      response: z.array(ProviderSchema),
      handler: () => store.get().providers.map(maskProvider),
    });

    api.route({
      method: 'put',
      path: '/api/config/provider',
      tag,
      summary: 'Create or replace a provider; api_key "***" keeps the stored key',
      body: ProviderInputSchema,
      response: ProviderSchema,
      handler: ({ body }) => {
        const config = store.update(`provider:${body.id}`, (c) => upsertProvider(c, body));
        return maskProvider(config.providers.find((p) => p.id === body.id)!);
      },
    });

    api.route({
      method: 'delete',
      path: '/api/config/provider/:id',
      tag,
      summary: 'Delete a provider (clears it from the profile if active)',
      params: z.strictObject({ id: ProviderIdSchema }),
      handler: ({ params }) => {
        store.update(`provider:${params.id} deleted`, (c) => removeProvider(c, params.id));
      },
    });

    api.route({
      method: 'post',
      path: '/api/config/reset',
      tag,
      summary: 'Restore every section to its defaults (the old state stays as a generation)',
      response: PublicConfigSchema,
      handler: () => publicConfig(store.reset()),
    });

    api.route({
      method: 'get',
      path: '/api/config/generations',
      tag,
      summary: 'Kept config generations, newest first',
      handler: () => store.generations(),
    });

    api.route({
      method: 'post',
      path: '/api/config/rollback',
      tag,
      summary: 'Make a kept generation current again',
      body: RollbackSchema,
      response: PublicConfigSchema,
      handler: ({ body }) => publicConfig(store.rollback(body.generation)),
    });
  },
};
