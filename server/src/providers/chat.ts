import { AppError } from '../http/errors.js';
import type { AtelierConfig, Provider } from '../wire/config.js';
import { completeAnthropic, streamAnthropic } from './anthropic.js';
import { catalogEntry, endpointOf, type Endpoint } from './catalog.js';
import type { ErrorContext } from './errors.js';
import { completeOpenAI, streamOpenAI } from './openai.js';
import type { ChatCompletion, ChatEvent, ChatRequest } from './types.js';

/**
 * The one entry point of the adapters: pick a provider and model, then stream (or complete)
 * a chat turn over whichever wire protocol the catalog says the provider speaks.
 */

/** A configured provider by id; `status` 404 for a path parameter, 400 for a body field. */
export function findProvider(config: AtelierConfig, id: string, status: 400 | 404 = 400): Provider {
  const provider = config.providers.find((p) => p.id === id);
  if (!provider) throw new AppError(status, 'UNKNOWN_PROVIDER', `No provider with id "${id}" (configured: ${config.providers.map((p) => p.id).join(', ') || 'none'})`);
  return provider;
}

/** Refuses a model the provider does not list, when it lists any. */
export function assertModelAllowed(provider: Provider, model: string): void {
  if (!model) throw new AppError(400, 'NO_MODEL', `No model given and provider "${provider.id}" has no default model`);
  if (provider.models?.length && !provider.models.includes(model)) {
    throw new AppError(400, 'UNKNOWN_MODEL', `Provider "${provider.id}" has no model "${model}" (known: ${provider.models.join(', ')})`);
  }
}

/**
 * The provider and model a request uses: the ones it names, else the profile's active
 * provider and model, else that provider's default model. Throws NO_PROVIDER,
 * UNKNOWN_PROVIDER, NO_MODEL or UNKNOWN_MODEL (400) with a message saying what to fix.
 */
export function resolveProvider(config: AtelierConfig, selection: { provider?: string; model?: string } = {}): { provider: Provider; model: string } {
  const id = selection.provider || config.profile.active_provider;
  if (!id) throw new AppError(400, 'NO_PROVIDER', 'No provider selected: pass one, or choose an active provider in the profile');
  const provider = findProvider(config, id);
  const activeModel = id === config.profile.active_provider ? config.profile.active_model : '';
  const model = selection.model || activeModel || provider.model;
  assertModelAllowed(provider, model);
  return { provider, model };
}

/** What error messages name: the provider's label ("MiniMax “work”") and the key to scrub from quoted text. */
export function errorContext(provider: Provider): ErrorContext {
  return { label: `${catalogEntry(provider.type).label} provider "${provider.id}"`, key: provider.api_key };
}

function prepare(req: ChatRequest): { ep: Endpoint; ctx: ErrorContext } {
  assertModelAllowed(req.provider, req.model);
  const ep = endpointOf(req.provider);
  if (ep.keyRequired && !ep.key) throw new AppError(400, 'PROVIDER_KEY_MISSING', `Provider "${req.provider.id}" has no API key: set one in Settings → Providers`);
  return { ep, ctx: errorContext(req.provider) };
}

/**
 * Streams one model turn as ChatEvents: text and thinking as they arrive, `thinking_end` when
 * reasoning stops, each tool call once its arguments are complete, then `usage` and `done`.
 * Errors are thrown as AppError (PROVIDER_UNAUTHORIZED, PROVIDER_RATE_LIMITED with
 * `retryAfterS`, PROVIDER_ERROR, PROVIDER_BAD_REQUEST, PROVIDER_BAD_STREAM, PROVIDER_TIMEOUT,
 * PROVIDER_UNREACHABLE, REQUEST_ABORTED). Aborting `signal`, or leaving the loop early,
 * closes the upstream connection. Record the usage with `recordUsage`.
 */
export function streamChat(req: ChatRequest): AsyncGenerator<ChatEvent> {
  // The protocol's own generator is returned, not delegated to: each layer of `yield*` costs
  // every token a round of promises. A bad request still fails on the first `next()`.
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(req);
  } catch (err) {
    return failing(err);
  }
  const { ep, ctx } = prepared;
  return ep.protocol === 'anthropic' ? streamAnthropic(req, ep, ctx) : streamOpenAI(req, ep, ctx);
}

/** A stream that fails on its first `next()`, as a generator whose first statement throws would. */
async function* failing(err: unknown): AsyncGenerator<never> {
  throw err;
}

/** One model turn without streaming (same errors as `streamChat`). */
export async function completeChat(req: ChatRequest): Promise<ChatCompletion> {
  const { ep, ctx } = prepare(req);
  return ep.protocol === 'anthropic' ? completeAnthropic(req, ep, ctx) : completeOpenAI(req, ep, ctx);
}
