import { performance } from 'node:perf_hooks';
import { AppError } from '../http/errors.js';
import { PROVIDER_PROBE_TIMEOUT_MS, PROVIDER_VERIFY_MAX_TOKENS } from '../limits.js';
import { MASK, type AtelierConfig, type Provider } from '../wire/config.js';
import type { ProbeResult, ValidateRequest, ValidateResult, VerifyResult } from '../wire/providers.js';
import { messagesUrl } from './anthropic.js';
import { authHeaders, endpointOf } from './catalog.js';
import { completeChat, errorContext, findProvider, streamChat } from './chat.js';
import { ProviderError } from './errors.js';
import { requestJson } from './http.js';
import type { CallTimeouts, ChatRequest } from './types.js';

/** Validate (one cheap real request) and verify (text, tool-call and streaming probes). */

const elapsed = (start: number) => Math.round(performance.now() - start);

function failure(err: unknown): { error: string; code: string } {
  if (err instanceof AppError) return { error: err.message, code: err.code };
  return { error: String(err), code: 'INTERNAL' };
}

/** The provider a validate body describes: a saved one, a saved one with edits, or an unsaved one. */
export function candidateOf(config: AtelierConfig, body: ValidateRequest): Provider {
  const stored = body.provider_id === undefined ? undefined : findProvider(config, body.provider_id);
  if (!stored && body.api_key === MASK) {
    throw new AppError(400, 'VALIDATION_FAILED', 'Invalid body: api_key: "***" keeps a stored key, so it needs provider_id', { issues: [{ path: 'api_key', message: '"***" needs provider_id' }] });
  }
  const keepKey = body.api_key === undefined || body.api_key === MASK;
  return {
    id: stored?.id ?? 'unsaved',
    name: stored?.name ?? 'unsaved',
    type: body.type ?? stored!.type,
    base_url: body.base_url ?? stored!.base_url,
    api_key: keepKey ? (stored?.api_key ?? '') : body.api_key!,
    model: body.model ?? stored?.model ?? '',
  };
}

function modelIds(json: unknown): string[] | undefined {
  const data = (json as { data?: unknown; models?: unknown } | null)?.data ?? (json as { models?: unknown } | null)?.models;
  if (!Array.isArray(data)) return undefined;
  return data.map((m: { id?: unknown; name?: unknown }) => String(m?.id ?? m?.name ?? '')).filter(Boolean);
}

/**
 * Tests a key with one cheap real request: the model list (GET {base}/models, or /v1/models
 * for Anthropic without a model), or a 1-token completion when the list is missing (404) or
 * for Anthropic with a model. Never throws for a provider's refusal: that is `ok:false`.
 */
export async function validateProvider(provider: Provider, opts: CallTimeouts = {}): Promise<ValidateResult> {
  const ep = endpointOf(provider);
  if (ep.keyRequired && !ep.key) return { ok: false, latency_ms: 0, error: 'No API key: enter the key the provider gave you', code: 'PROVIDER_KEY_MISSING' };
  const ctx = errorContext(provider);
  const timeouts = { firstByteTimeoutMs: opts.firstByteTimeoutMs ?? PROVIDER_PROBE_TIMEOUT_MS, stallTimeoutMs: opts.stallTimeoutMs ?? PROVIDER_PROBE_TIMEOUT_MS };
  const headers = { ...ep.headers, ...authHeaders(ep.auth, ep.key) };
  const tinyCompletion = async () => {
    await completeChat({ provider, model: provider.model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, ...timeouts });
  };
  const start = performance.now();
  try {
    if (ep.protocol === 'anthropic' && provider.model) {
      await tinyCompletion();
      return { ok: true, latency_ms: elapsed(start) };
    }
    const url = ep.protocol === 'anthropic' ? `${messagesUrl(ep.base).slice(0, -'/messages'.length)}/models` : `${ep.base}${ep.entry.models_path}`;
    try {
      const models = modelIds(await requestJson({ url, method: 'GET', headers, ...timeouts, ctx }));
      return { ok: true, latency_ms: elapsed(start), ...(models && { models }) };
    } catch (err) {
      // Some compatible servers have no model list; a real completion still proves the key.
      const missing = err instanceof ProviderError && (err.upstreamStatus === 404 || err.upstreamStatus === 405);
      if (!missing || !provider.model) throw err;
      await tinyCompletion();
      return { ok: true, latency_ms: elapsed(start) };
    }
  } catch (err) {
    return { ok: false, latency_ms: elapsed(start), ...failure(err) };
  }
}

const PROBE_TOOL = {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  parameters: { type: 'object', properties: { city: { type: 'string', description: 'City name' } }, required: ['city'], additionalProperties: false },
};

/** Runs one probe, turning a thrown error into a failed result. */
async function probe(run: () => Promise<Omit<ProbeResult, 'latency_ms'>>): Promise<ProbeResult> {
  const start = performance.now();
  try {
    const result = await run();
    return { ...result, latency_ms: elapsed(start) };
  } catch (err) {
    const { error, code } = failure(err);
    return { ok: false, latency_ms: elapsed(start), detail: error, code };
  }
}

/**
 * Three real calls, one after the other: a non-streaming text answer, a streamed tool call
 * (get_weather for Paris) and a streamed answer (chunk count and time to first token).
 * `onUsage` receives each call's tokens so they count in consumption.
 */
export async function verifyProvider(
  provider: Provider,
  model: string,
  opts: CallTimeouts & { signal?: AbortSignal; onUsage?: (usage: { input_tokens: number; output_tokens: number }) => void } = {},
): Promise<VerifyResult> {
  const base: Omit<ChatRequest, 'messages'> = {
    provider,
    model,
    max_tokens: PROVIDER_VERIFY_MAX_TOKENS,
    signal: opts.signal,
    firstByteTimeoutMs: opts.firstByteTimeoutMs,
    stallTimeoutMs: opts.stallTimeoutMs,
  };
  const text = await probe(async () => {
    const answer = await completeChat({ ...base, messages: [{ role: 'user', content: 'Reply with the single word: pong' }] });
    opts.onUsage?.(answer.usage);
    const said = answer.text.trim();
    return said ? { ok: true, detail: `answered ${JSON.stringify(said.slice(0, 80))}` } : { ok: false, detail: `no text in the answer (stop reason: ${answer.raw_stop_reason ?? 'none'})` };
  });

  const toolCall = await probe(async () => {
    let call: { name: string; args: Record<string, unknown>; args_error?: string } | undefined;
    let said = '';
    for await (const ev of streamChat({ ...base, tools: [PROBE_TOOL], messages: [{ role: 'user', content: 'What is the weather in Paris right now? Use the get_weather tool.' }] })) {
      if (ev.type === 'tool_call') call ??= ev;
      else if (ev.type === 'text') said += ev.text;
      else if (ev.type === 'usage') opts.onUsage?.(ev);
    }
    if (!call) return { ok: false, detail: said ? `answered with text instead of calling the tool: ${JSON.stringify(said.slice(0, 80))}` : 'no tool call in the answer' };
    if (call.args_error) return { ok: false, detail: `called ${call.name} but ${call.args_error}` };
    return { ok: call.name === PROBE_TOOL.name, detail: `called ${call.name}(${JSON.stringify(call.args)})` };
  });

  const streaming = await probe(async () => {
    const start = performance.now();
    let firstToken: number | undefined;
    let chunks = 0;
    let chars = 0;
    for await (const ev of streamChat({ ...base, messages: [{ role: 'user', content: 'Count from 1 to 10, separated by spaces.' }] })) {
      if (ev.type === 'text') {
        firstToken ??= elapsed(start);
        chunks += 1;
        chars += ev.text.length;
      } else if (ev.type === 'usage') opts.onUsage?.(ev);
    }
    if (chunks === 0) return { ok: false, detail: 'the stream carried no text' };
    const buffered = chunks === 1 ? ' (a single chunk: the provider may buffer its answer)' : '';
    return { ok: true, detail: `${chunks} text chunks, ${chars} characters, first token after ${firstToken} ms${buffered}` };
  });

  return { provider_id: provider.id, model, ok: text.ok && toolCall.ok && streaming.ok, probes: { text, tool_call: toolCall, streaming } };
}
