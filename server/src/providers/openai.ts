import { authHeaders, type Endpoint } from './catalog.js';
import { badStream, upstreamError, type ErrorContext } from './errors.js';
import { count, ThinkingState, toolCallEvent } from './events.js';
import { requestJson, sseEvents } from './http.js';
import { ThinkTagSplitter, type ContentPiece } from './think-tags.js';
import type { ChatCompletion, ChatEvent, ChatMessage, ChatRequest, StopReason } from './types.js';

/**
 * The OpenAI chat-completions protocol (OpenAI, OpenRouter, MiniMax, Z.AI, MiMo, Ollama's /v1):
 * POST {base}/chat/completions with `stream:true` and `stream_options.include_usage`.
 */

type Json = Record<string, any>;

/** Neutral messages → OpenAI `messages`. */
export function toOpenAIMessages(messages: ChatMessage[]): Json[] {
  return messages.map((m): Json => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content };
      case 'user':
        if (!m.images?.length) return { role: 'user', content: m.content };
        return {
          role: 'user',
          content: [
            ...(m.content ? [{ type: 'text', text: m.content }] : []),
            ...m.images.map((img) => ({ type: 'image_url', image_url: { url: `data:${img.mime};base64,${img.data}` } })),
          ],
        };
      case 'assistant':
        if (!m.tool_calls?.length) return { role: 'assistant', content: m.content };
        return {
          role: 'assistant',
          content: m.content || null,
          tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })),
        };
      case 'tool':
        // The protocol has no error flag on tool results; the model reads it from the text.
        return { role: 'tool', tool_call_id: m.tool_call_id, content: m.is_error ? `Error: ${m.content}` : m.content };
    }
  });
}

/** The request body; vendor extras from the catalog go in first so nothing of ours is overridden. */
export function openAIBody(req: ChatRequest, ep: Endpoint, stream: boolean): Json {
  return {
    ...ep.requestExtras,
    model: req.model,
    messages: toOpenAIMessages(req.messages),
    ...(req.tools?.length && {
      tools: req.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })),
      ...(req.tool_choice && { tool_choice: req.tool_choice }),
    }),
    ...(req.max_tokens !== undefined && { [ep.entry.max_tokens_field ?? 'max_tokens']: req.max_tokens }),
    ...(req.temperature !== undefined && { temperature: req.temperature }),
    stream,
    ...(stream && { stream_options: { include_usage: true } }),
  };
}

/** finish_reason → StopReason. */
export function openAIStopReason(raw: string | null): StopReason {
  switch (raw) {
    case 'stop':
      return 'end_turn';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}

/** Reasoning text of a delta or message: `reasoning_content` (DeepSeek, Z.AI, MiMo), `reasoning` (OpenRouter, Ollama), `reasoning_details` (MiniMax). */
function reasoningOf(d: Json): string {
  if (typeof d.reasoning_content === 'string') return d.reasoning_content;
  if (typeof d.reasoning === 'string') return d.reasoning;
  if (Array.isArray(d.reasoning_details)) return d.reasoning_details.map((r: Json) => (typeof r?.text === 'string' ? r.text : '')).join('');
  return '';
}

function request(req: ChatRequest, ep: Endpoint, stream: boolean, ctx: ErrorContext) {
  return {
    url: `${ep.base}/chat/completions`,
    method: 'POST' as const,
    headers: { ...ep.headers, ...authHeaders(ep.auth, ep.key) },
    body: openAIBody(req, ep, stream),
    signal: req.signal,
    firstByteTimeoutMs: req.firstByteTimeoutMs,
    stallTimeoutMs: req.stallTimeoutMs,
    ctx,
  };
}

/** Content pieces → events, closing reasoning before the answer starts. */
function* contentEvents(pieces: ContentPiece[], thinking: ThinkingState): Generator<ChatEvent> {
  for (const p of pieces) {
    if (p.kind === 'thinking') {
      yield thinking.thinking(p.text);
      continue;
    }
    if (thinking.open) yield thinking.close();
    if (p.kind === 'text') yield { type: 'text', text: p.text };
  }
}

/** Streams one chat turn. Tool-call argument deltas are assembled by index and emitted once the turn finishes. */
export async function* streamOpenAI(req: ChatRequest, ep: Endpoint, ctx: ErrorContext): AsyncGenerator<ChatEvent> {
  const thinking = new ThinkingState();
  const splitter = ep.thinkTags ? new ThinkTagSplitter() : undefined;
  const calls = new Map<number, { id: string; name: string; args: string }>();
  let usage: { input_tokens: number; output_tokens: number } | undefined;
  let finish: string | null = null;
  let sawDone = false;

  for await (const event of sseEvents(request(req, ep, true, ctx))) {
    if (event.data.trim() === '[DONE]') {
      sawDone = true;
      break;
    }
    let chunk: Json;
    try {
      chunk = JSON.parse(event.data) as Json;
    } catch {
      throw badStream(ctx, `an event is not JSON: ${JSON.stringify(event.data.slice(0, 120))}`);
    }
    if (chunk === null || typeof chunk !== 'object') throw badStream(ctx, 'an event is not a JSON object');
    // OpenRouter and others report failures that happen mid-stream as an `error` chunk.
    if (chunk.error) throw upstreamError(ctx, undefined, typeof chunk.error === 'string' ? chunk.error : String(chunk.error.message ?? JSON.stringify(chunk.error)));
    if (chunk.usage) usage = { input_tokens: count(chunk.usage.prompt_tokens), output_tokens: count(chunk.usage.completion_tokens) };
    const choice = Array.isArray(chunk.choices) ? (chunk.choices as Json[]).find((c) => (c.index ?? 0) === 0) : undefined;
    if (!choice) continue;
    const delta: Json = choice.delta ?? {};
    const reasoning = reasoningOf(delta);
    if (reasoning) yield thinking.thinking(reasoning);
    if (typeof delta.content === 'string' && delta.content) {
      if (splitter) yield* contentEvents(splitter.push(delta.content), thinking);
      else {
        // The common case, once per token: no <think> tags to split, so no generator to delegate to.
        if (thinking.open) yield thinking.close();
        yield { type: 'text', text: delta.content };
      }
    }
    if (Array.isArray(delta.tool_calls)) {
      if (thinking.open) yield thinking.close();
      for (const tc of delta.tool_calls as Json[]) {
        // Some servers omit `index`; a new id then starts a new call, anything else extends the last.
        const index = typeof tc.index === 'number' ? tc.index : tc.id && ![...calls.values()].some((c) => c.id === tc.id) ? calls.size : Math.max(0, calls.size - 1);
        const call = calls.get(index) ?? { id: '', name: '', args: '' };
        if (typeof tc.id === 'string' && tc.id && !call.id) call.id = tc.id;
        if (typeof tc.function?.name === 'string' && tc.function.name) call.name = call.name || tc.function.name;
        if (typeof tc.function?.arguments === 'string') call.args += tc.function.arguments;
        calls.set(index, call);
      }
    }
    if (choice.finish_reason) finish = String(choice.finish_reason);
  }
  if (!sawDone && finish === null) throw badStream(ctx, 'the stream ended before the answer did (no finish_reason, no [DONE])');

  if (splitter) yield* contentEvents(splitter.flush(), thinking);
  if (thinking.open) yield thinking.close();
  for (const [index, call] of [...calls.entries()].sort((a, b) => a[0] - b[0])) {
    if (!call.name) throw badStream(ctx, `tool call ${index} has no function name`);
    yield toolCallEvent(call.id || `call_${index}`, call.name, call.args);
  }
  if (usage) yield { type: 'usage', ...usage };
  yield { type: 'done', stop_reason: openAIStopReason(finish), raw_stop_reason: finish };
}

/** One non-streaming chat turn. */
export async function completeOpenAI(req: ChatRequest, ep: Endpoint, ctx: ErrorContext): Promise<ChatCompletion> {
  const json = (await requestJson(request(req, ep, false, ctx))) as Json;
  if (json?.error) throw upstreamError(ctx, undefined, typeof json.error === 'string' ? json.error : String(json.error.message ?? JSON.stringify(json.error)));
  const choice = Array.isArray(json?.choices) ? (json.choices[0] as Json | undefined) : undefined;
  if (!choice?.message) throw badStream(ctx, 'the answer has no choices[0].message');
  const message: Json = choice.message;
  let thinking = reasoningOf(message);
  let text = typeof message.content === 'string' ? message.content : '';
  if (ep.thinkTags && text) {
    const splitter = new ThinkTagSplitter();
    const pieces = [...splitter.push(text), ...splitter.flush()];
    thinking += pieces.map((p) => (p.kind === 'thinking' ? p.text : '')).join('');
    text = pieces.map((p) => (p.kind === 'text' ? p.text : '')).join('');
  }
  const toolCalls = (Array.isArray(message.tool_calls) ? (message.tool_calls as Json[]) : []).map((c, i) =>
    toolCallEvent(String(c.id ?? `call_${i}`), String(c.function?.name ?? ''), typeof c.function?.arguments === 'string' ? c.function.arguments : JSON.stringify(c.function?.arguments ?? {})),
  );
  const finish = choice.finish_reason == null ? null : String(choice.finish_reason);
  return {
    text,
    thinking,
    tool_calls: toolCalls,
    usage: { input_tokens: count(json.usage?.prompt_tokens), output_tokens: count(json.usage?.completion_tokens) },
    stop_reason: openAIStopReason(finish),
    raw_stop_reason: finish,
  };
}
