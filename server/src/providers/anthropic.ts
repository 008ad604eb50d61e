import { ANTHROPIC_DEFAULT_MAX_TOKENS } from '../limits.js';
import { authHeaders, type Endpoint } from './catalog.js';
import { badStream, rateLimited, unauthorized, upstreamError, type ErrorContext } from './errors.js';
import { count, ThinkingState, toolCallEvent } from './events.js';
import { requestJson, sseEvents } from './http.js';
import type { ChatCompletion, ChatEvent, ChatMessage, ChatRequest, StopReason } from './types.js';

/**
 * The Anthropic messages protocol (Anthropic, and the /anthropic endpoints of MiniMax, Z.AI
 * and MiMo): POST {base}/v1/messages with `stream:true`; events message_start …
 * content_block_start/delta/stop … message_delta, message_stop.
 */

type Json = Record<string, any>;

/** Neutral messages → Anthropic `system` and alternating user/assistant `messages` (tool results ride in user turns). */
export function toAnthropicMessages(messages: ChatMessage[]): { system: string | undefined; messages: Json[] } {
  const system: string[] = [];
  const out: { role: 'user' | 'assistant'; content: Json[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: Json[]) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    // The API wants roles to alternate; consecutive turns of one role merge into one.
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    switch (m.role) {
      case 'system':
        system.push(m.content);
        break;
      case 'user':
        push('user', [
          ...(m.images ?? []).map((img) => ({ type: 'image', source: { type: 'base64', media_type: img.mime, data: img.data } })),
          ...(m.content ? [{ type: 'text', text: m.content }] : []),
        ]);
        break;
      case 'assistant':
        push('assistant', [
          ...(m.thinking ? [{ type: 'thinking', thinking: m.thinking.text, signature: m.thinking.signature }] : []),
          ...(m.content ? [{ type: 'text', text: m.content }] : []),
          ...(m.tool_calls ?? []).map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.args })),
        ]);
        break;
      case 'tool':
        push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id, content: m.content, ...(m.is_error && { is_error: true }) }]);
        break;
    }
  }
  return { system: system.length ? system.join('\n\n') : undefined, messages: out };
}

/** The request body. */
export function anthropicBody(req: ChatRequest, ep: Endpoint, stream: boolean): Json {
  const { system, messages } = toAnthropicMessages(req.messages);
  return {
    ...ep.requestExtras,
    model: req.model,
    max_tokens: req.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    ...(system !== undefined && { system }),
    messages,
    ...(req.tools?.length && { tools: req.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters })) }),
    ...(req.tools?.length && req.tool_choice && { tool_choice: { type: req.tool_choice } }),
    ...(req.temperature !== undefined && { temperature: req.temperature }),
    stream,
  };
}

/** The messages URL; a base that already ends in /v1 is accepted as well. */
export function messagesUrl(base: string): string {
  return base.endsWith('/v1') ? `${base}/messages` : `${base}/v1/messages`;
}

/** stop_reason → StopReason. */
export function anthropicStopReason(raw: string | null): StopReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
      return 'end_turn';
    case 'tool_use':
      return 'tool_use';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

/** An `error` event of the stream (e.g. overloaded_error) as the error of its kind. */
function streamError(ctx: ErrorContext, error: Json | undefined): Error {
  const type = String(error?.type ?? 'error');
  const message = `${type}: ${String(error?.message ?? 'no message')}`;
  if (type === 'authentication_error' || type === 'permission_error') return unauthorized(ctx, 401, message);
  if (type === 'rate_limit_error') return rateLimited(ctx, undefined, message);
  return upstreamError(ctx, undefined, message);
}

/** Input tokens including cached ones: they were processed (and mostly billed) too. */
function inputTokens(usage: Json | undefined): number {
  return count(usage?.input_tokens) + count(usage?.cache_creation_input_tokens) + count(usage?.cache_read_input_tokens);
}

function request(req: ChatRequest, ep: Endpoint, stream: boolean, ctx: ErrorContext) {
  return {
    url: messagesUrl(ep.base),
    method: 'POST' as const,
    headers: { ...ep.headers, ...authHeaders(ep.auth, ep.key) },
    body: anthropicBody(req, ep, stream),
    signal: req.signal,
    firstByteTimeoutMs: req.firstByteTimeoutMs,
    stallTimeoutMs: req.stallTimeoutMs,
    ctx,
  };
}

/** Streams one chat turn. A tool call is emitted when its content block stops (its input JSON is then complete). */
export async function* streamAnthropic(req: ChatRequest, ep: Endpoint, ctx: ErrorContext): AsyncGenerator<ChatEvent> {
  const thinking = new ThinkingState();
  const blocks = new Map<number, { type: string; id: string; name: string; json: string; signature?: string }>();
  let input = 0;
  let output = 0;
  let stop: string | null = null;
  let stopped = false;

  for await (const event of sseEvents(request(req, ep, true, ctx))) {
    let data: Json;
    try {
      data = JSON.parse(event.data) as Json;
    } catch {
      throw badStream(ctx, `an event is not JSON: ${JSON.stringify(event.data.slice(0, 120))}`);
    }
    if (data === null || typeof data !== 'object') throw badStream(ctx, 'an event is not a JSON object');
    const type = String(data.type ?? event.event ?? '');
    switch (type) {
      case 'message_start':
        input = inputTokens(data.message?.usage);
        output = count(data.message?.usage?.output_tokens);
        break;
      case 'content_block_start': {
        const block: Json = data.content_block ?? {};
        const index = Number(data.index);
        blocks.set(index, { type: String(block.type), id: String(block.id ?? ''), name: String(block.name ?? ''), json: '' });
        if (block.type === 'text') {
          if (thinking.open) yield thinking.close();
          if (typeof block.text === 'string' && block.text) yield { type: 'text', text: block.text };
        } else if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking) {
          yield thinking.thinking(block.thinking);
        } else if (block.type === 'tool_use') {
          if (thinking.open) yield thinking.close();
        }
        break;
      }
      case 'content_block_delta': {
        const delta: Json = data.delta ?? {};
        const block = blocks.get(Number(data.index));
        if (delta.type === 'text_delta' && typeof delta.text === 'string') {
          if (thinking.open) yield thinking.close();
          if (delta.text) yield { type: 'text', text: delta.text };
        } else if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string') {
          if (delta.thinking) yield thinking.thinking(delta.thinking);
        } else if (delta.type === 'signature_delta' && block) {
          block.signature = String(delta.signature ?? '');
        } else if (delta.type === 'input_json_delta' && block) {
          block.json += String(delta.partial_json ?? '');
        }
        break;
      }
      case 'content_block_stop': {
        const block = blocks.get(Number(data.index));
        if (block?.type === 'thinking' && thinking.open) yield thinking.close(block.signature);
        if (block?.type === 'tool_use') {
          if (!block.name) throw badStream(ctx, `tool_use block ${data.index} has no name`);
          yield toolCallEvent(block.id || `toolu_${data.index}`, block.name, block.json);
          blocks.delete(Number(data.index));
        }
        break;
      }
      case 'message_delta':
        if (data.delta?.stop_reason) stop = String(data.delta.stop_reason);
        // Usage counts in message_delta are cumulative; some compatible servers only send them here.
        if (data.usage?.output_tokens !== undefined) output = count(data.usage.output_tokens);
        if (data.usage?.input_tokens !== undefined) input = inputTokens(data.usage);
        break;
      case 'message_stop':
        stopped = true;
        break;
      case 'error':
        // The tokens counted so far were spent (and billed) all the same.
        yield { type: 'usage', input_tokens: input, output_tokens: output };
        throw streamError(ctx, data.error);
      default:
        // ping, and event types added later: ignored, as the API's versioning policy asks.
        break;
    }
    if (stopped) break;
  }
  if (!stopped) throw badStream(ctx, 'the stream ended before message_stop');
  if (thinking.open) yield thinking.close();
  // A tool_use block that never stopped was cut (max_tokens inside its input): what arrived is
  // kept as raw_args, and args_error says why, so it is reported, never run.
  for (const [index, block] of blocks) {
    if (block.type !== 'tool_use' || !block.name) continue;
    const call = toolCallEvent(block.id || `toolu_${index}`, block.name, block.json);
    yield { ...call, args: {}, raw_args: block.json, args_error: `the reply was cut (stop_reason ${stop ?? 'none'}) before the arguments were complete` };
  }
  yield { type: 'usage', input_tokens: input, output_tokens: output };
  yield { type: 'done', stop_reason: anthropicStopReason(stop), raw_stop_reason: stop };
}

/** One non-streaming chat turn. */
export async function completeAnthropic(req: ChatRequest, ep: Endpoint, ctx: ErrorContext): Promise<ChatCompletion> {
  const json = (await requestJson(request(req, ep, false, ctx))) as Json;
  if (json?.type === 'error') throw streamError(ctx, json.error);
  if (!Array.isArray(json?.content)) throw badStream(ctx, 'the answer has no content array');
  const content = json.content as Json[];
  const stop = json.stop_reason == null ? null : String(json.stop_reason);
  return {
    text: content.filter((b) => b.type === 'text').map((b) => String(b.text ?? '')).join(''),
    thinking: content.filter((b) => b.type === 'thinking').map((b) => String(b.thinking ?? '')).join(''),
    tool_calls: content.filter((b) => b.type === 'tool_use').map((b, i) => toolCallEvent(String(b.id ?? `toolu_${i}`), String(b.name ?? ''), JSON.stringify(b.input ?? {}))),
    usage: { input_tokens: inputTokens(json.usage), output_tokens: count(json.usage?.output_tokens) },
    stop_reason: anthropicStopReason(stop),
    raw_stop_reason: stop,
  };
}
