import type { Capability } from '../context.js';
import { abortOnDisconnect } from '../http/disconnect.js';
import { LLM_ROUTE_RATE_LIMIT } from '../limits.js';
import { providersRoutes } from '../wire/routes/providers.js';
import { providerCatalog } from './catalog.js';
import { assertModelAllowed, findProvider } from './chat.js';
import { candidateOf, validateProvider, verifyProvider } from './probes.js';
import { fetchQuota } from './quota.js';
import { consumption, providersMigrations, recordUsage } from './usage.js';

/** Validate, verify, quota and consumption (SPEC §7 "Configuration", "Providers"). */
export const providersCapability: Capability = {
  name: 'providers',
  migrations: providersMigrations,
  register({ api, ctx }) {
    const tag = 'providers';
    // A broken catalog stops the server at start, naming the file, rather than at the first chat.
    providerCatalog();

    api.route(providersRoutes.catalog, {
      tag,
      summary: 'Provider types: label, usual base URL, protocol, whether a key is needed, quota support',
      handler: () =>
        [...providerCatalog().values()].map((e) => ({
          type: e.type,
          label: e.label,
          base_url: e.base_url,
          protocol: e.protocol,
          key_required: e.key_required,
          docs_url: e.docs_url,
          quota: e.quota !== null,
        })),
    });

    api.route(providersRoutes.validate, {
      rateLimit: LLM_ROUTE_RATE_LIMIT,
      tag,
      summary: 'Test a key with one cheap real request (a saved provider, one being edited, or an unsaved one)',
      handler: ({ body }) => validateProvider(candidateOf(ctx.config.get(), body)),
    });

    api.route(providersRoutes.quota, {
      tag,
      summary: "Each provider's remaining quota from its vendor's quota API (supported:false when the vendor has none)",
      handler: ({ query }) => {
        const config = ctx.config.get();
        const providers = query.provider_id === undefined ? config.providers : [findProvider(config, query.provider_id)];
        return Promise.all(providers.map((p) => fetchQuota(p)));
      },
    });

    api.route(providersRoutes.consumption, {
      tag,
      summary: 'Tokens per provider/model: all-time totals and the last N days, weeks or months (UTC)',
      handler: ({ query }) => consumption(ctx.db, query.period, query.buckets),
    });

    api.route(providersRoutes.verify, {
      rateLimit: LLM_ROUTE_RATE_LIMIT,
      tag,
      summary: 'Text, tool-call and streaming probes against a saved provider, each with its latency',
      handler: ({ params, body, res }) => {
        const config = ctx.config.get();
        const provider = findProvider(config, params.id, 404);
        const activeModel = provider.id === config.profile.active_provider ? config.profile.active_model : '';
        const model = body.model ?? (provider.model || activeModel);
        assertModelAllowed(provider, model);
        return verifyProvider(provider, model, {
          signal: abortOnDisconnect(res),
          onUsage: (usage) => recordUsage(ctx.db, { provider_id: provider.id, model, ...usage }),
        });
      },
    });
  },
};
