import { AppError } from '../http/errors.js';
import { MASK, type AtelierConfig, type Provider, type ProviderInput } from '../wire/config.js';

/** A provider as it may leave the server: the key is `"***"` when set, '' when not. */
export function maskProvider(provider: Provider): Provider {
  return { ...provider, api_key: provider.api_key ? MASK : '' };
}

/** Creates or replaces a provider; an absent or `"***"` api_key keeps the stored one. */
export function upsertProvider(config: AtelierConfig, input: ProviderInput & { model: string }): AtelierConfig {
  const existing = config.providers.find((p) => p.id === input.id);
  const keepKey = input.api_key === undefined || input.api_key === MASK;
  const provider: Provider = { ...input, api_key: keepKey ? (existing?.api_key ?? '') : input.api_key! };
  if (provider.models === undefined) delete provider.models;
  const providers = existing ? config.providers.map((p) => (p.id === input.id ? provider : p)) : [...config.providers, provider];
  return { ...config, providers };
}

/** Removes a provider; if it was the active one, the profile no longer points at it. */
export function removeProvider(config: AtelierConfig, id: string): AtelierConfig {
  if (!config.providers.some((p) => p.id === id)) throw new AppError(404, 'NOT_FOUND', `Provider ${id} does not exist`);
  const wasActive = config.profile.active_provider === id;
  return {
    ...config,
    providers: config.providers.filter((p) => p.id !== id),
    profile: wasActive ? { ...config.profile, active_provider: '', active_model: '' } : config.profile,
  };
}

/** The profile may only name a provider that exists (or none). */
export function assertActiveProviderExists(config: AtelierConfig): void {
  const id = config.profile.active_provider;
  if (id && !config.providers.some((p) => p.id === id)) {
    throw new AppError(400, 'VALIDATION_FAILED', `Invalid body: active_provider: no provider with id "${id}"`, {
      issues: [{ path: 'active_provider', message: `no provider with id "${id}"` }],
    });
  }
}
