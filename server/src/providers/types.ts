import type { Provider } from '../wire/config.js';

/**
 * The neutral conversation format every adapter converts from, and the events every adapter
 * streams back. Nothing here knows about OpenAI or Anthropic wire shapes.
 */

/** An image attached to a user message, as the chat route receives it. */
export interface ImageInput {
  /** e.g. image/png */
  mime: string;
  /** Base64, without a `data:` prefix. */
  data: string;
}

/** A tool call the model made, arguments parsed. */
export interface ToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** One message of a conversation. Tool results follow the assistant message that called them. */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string; images?: ImageInput[] }
  | {
      role: 'assistant';
      content: string;
      tool_calls?: ToolCall[];
      /** Anthropic thinking to hand back with tool results (the signature proves it unaltered). */
      thinking?: { text: string; signature: string };
    }
  | { role: 'tool'; tool_call_id: string; name: string; content: string; is_error?: boolean };

/** A tool the model may call, described by a JSON schema of its arguments. */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

/** Why the model stopped, normalized across protocols; `raw` keeps the provider's own word. */
export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'content_filter' | 'other';

/** What a streaming chat yields, in order: text/thinking as they come, tool calls once complete, then usage and done. */
export type ChatEvent =
  | { type: 'text'; text: string }
  | { type: 'thinking'; text: string }
  /** Thinking is over (answer or tool call begins). `signature` is set for Anthropic thinking blocks. */
  | { type: 'thinking_end'; signature?: string }
  /**
   * A complete tool call. When the model sent arguments that are not a JSON object, `args` is {}
   * and `args_error` says why (`raw_args` holds what was sent) so the loop can answer with an error result.
   */
  | { type: 'tool_call'; id: string; name: string; args: Record<string, unknown>; raw_args?: string; args_error?: string }
  | { type: 'usage'; input_tokens: number; output_tokens: number }
  | { type: 'done'; stop_reason: StopReason; raw_stop_reason: string | null };

/** Timeouts of one call; the defaults are PROVIDER_FIRST_BYTE_TIMEOUT_MS and PROVIDER_STALL_TIMEOUT_MS. */
export interface CallTimeouts {
  /** No response byte within this long after sending → PROVIDER_TIMEOUT. */
  firstByteTimeoutMs?: number;
  /** No byte for this long between two chunks of the body → PROVIDER_TIMEOUT. */
  stallTimeoutMs?: number;
}

/** Input of `streamChat` and `completeChat`. */
export interface ChatRequest extends CallTimeouts {
  provider: Provider;
  model: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  /** `none`: the tools are defined (a history holding tool calls needs them) but the model may not call one. Default auto. */
  tool_choice?: 'auto' | 'none';
  /** Cancels the HTTP request (the upstream connection is closed). */
  signal?: AbortSignal;
  max_tokens?: number;
  temperature?: number;
}

/** What `completeChat` returns: the whole answer of one non-streaming call. */
export interface ChatCompletion {
  text: string;
  thinking: string;
  tool_calls: Extract<ChatEvent, { type: 'tool_call' }>[];
  usage: { input_tokens: number; output_tokens: number };
  stop_reason: StopReason;
  raw_stop_reason: string | null;
}
