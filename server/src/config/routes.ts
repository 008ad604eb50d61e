import type { StartCapability } from '../context.js';
import type { AtelierConfig, PublicConfig } from '../wire/config.js';
import { configRoutes } from '../wire/routes/config.js';
import { assertActiveProviderExists, maskProvider, removeProvider, upsertProvider } from './providers.js';

function publicConfig(config: AtelierConfig): PublicConfig {
  return { profile: config.profile, terminal: config.terminal, bmad: config.bmad, permissions: config.permissions, chat: config.chat };
}

/** Profile, BMAD settings, providers, reset and generations (SPEC §7 "Configuration"). */
export const configCapability: StartCapability = {
  name: 'config',
  register({ api, ctx }) {
    const store = ctx.config;
    const tag = 'config';

    api.route(configRoutes.get, { tag, summary: 'Profile, terminal and BMAD settings', handler: () => publicConfig(store.get()) });

    api.route(configRoutes.profile, {
      tag,
      summary: 'Merge fields into the profile',
      handler: ({ body }) =>
        store.update('profile', (c) => {
          const next = { ...c, profile: { ...c.profile, ...body } };
          assertActiveProviderExists(next);
          return next;
        }).profile,
    });

    api.route(configRoutes.bmad, {
      tag,
      summary: 'Merge fields into the BMAD-method settings',
      handler: ({ body }) => store.update('bmad', (c) => ({ ...c, bmad: { ...c.bmad, ...body } })).bmad,
    });

    api.route(configRoutes.chat, {
      tag,
      summary: 'Merge fields into the chat settings (detach_grace_s)',
      handler: ({ body }) => store.update('chat', (c) => ({ ...c, chat: { ...c.chat, ...body } })).chat,
    });

    api.route(configRoutes.providers, {
      tag,
      summary: 'AI providers, keys masked as "***"',
      handler: () => store.get().providers.map(maskProvider),
    });

    api.route(configRoutes.putProvider, {
      tag,
      summary: 'Create or replace a provider; api_key "***" keeps the stored key',
      handler: ({ body }) => {
        const config = store.update(`provider:${body.id}`, (c) => upsertProvider(c, body));
        return maskProvider(config.providers.find((p) => p.id === body.id)!);
      },
    });

    api.route(configRoutes.deleteProvider, {
      tag,
      summary: 'Delete a provider (clears it from the profile if active)',
      handler: ({ params }) => {
        store.update(`provider:${params.id} deleted`, (c) => removeProvider(c, params.id));
        return undefined;
      },
    });

    api.route(configRoutes.reset, {
      tag,
      summary: 'Restore every section to its defaults (the old state stays as a generation)',
      handler: () => publicConfig(store.reset()),
    });

    api.route(configRoutes.generations, { tag, summary: 'Kept config generations, newest first', handler: () => store.generations() });

    api.route(configRoutes.rollback, {
      tag,
      summary: 'Make a kept generation current again',
      handler: ({ body }) => publicConfig(store.rollback(body.generation)),
    });
  },
};
