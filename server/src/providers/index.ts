/**
 * What other capabilities (chat, workflow) use of the providers: pick a provider and model,
 * stream or complete a turn, record its tokens. Everything else in this folder is internal.
 */
export { assertModelAllowed, completeChat, findProvider, resolveProvider, streamChat } from './chat.js';
export { ProviderError } from './errors.js';
export { recordUsage, type UsageRecord } from './usage.js';
export type { CallTimeouts, ChatCompletion, ChatEvent, ChatMessage, ChatRequest, ImageInput, StopReason, ToolCall, ToolSpec } from './types.js';
