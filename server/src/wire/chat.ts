/**
 * Conversation, message, image and search shapes shared by server and studio. The zod
 * schemas validate input and document the routes; the types are inferred from them.
 */
import { z } from 'zod';
import { ApprovalRequestSchema, PermissionModeSchema } from './permissions.js';
import {
  CONVERSATION_LIST_LIMIT_MAX,
  CONVERSATION_SEARCH_LIMIT_MAX,
  CONVERSATION_SEARCH_QUERY_MAX_CHARS,
} from '../limits.js';

/** Who wrote a message; `tool` messages carry a tool's result for `tool_call_id`. */
export const ChatRoleSchema = z.enum(['user', 'assistant', 'tool', 'system']);
export type ChatRole = z.infer<typeof ChatRoleSchema>;

/** A tool call the assistant made, as the SSE `tool_call` event carries it. */
export const ToolCallSchema = z.object({
  tool_call_id: z.string(),
  name: z.string(),
  /** The parsed arguments (or the raw string when the model sent invalid JSON). */
  args: z.unknown(),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

/** An image as a client sends it with a message: declared type plus base64 (a `data:` URL is accepted too). */
export const ImageInputSchema = z.object({
  /** What the client says it is; the stored type comes from the bytes, not from this. */
  mime: z.string().max(100),
  data: z.string(),
});
export type ImageInput = z.infer<typeof ImageInputSchema>;

/** A stored image, served by GET /api/images/{id}. */
export const ImageRefSchema = z.object({
  id: z.string(),
  /** Sniffed from the content: image/png, image/jpeg, image/gif or image/webp. */
  mime: z.string(),
  bytes: z.number(),
  url: z.string(),
});
export type ImageRef = z.infer<typeof ImageRefSchema>;

/** One stored message. */
export const ChatMessageSchema = z.object({
  id: z.number(),
  conversation_id: z.string(),
  role: ChatRoleSchema,
  content: z.string(),
  thinking: z.string().nullable(),
  tool_calls: z.array(ToolCallSchema).nullable(),
  /** On a `tool` message: the call it answers. */
  tool_call_id: z.string().nullable(),
  is_error: z.boolean(),
  sudo_blocked: z.boolean(),
  /** On a `tool` message: the permission system refused the call (nothing ran). */
  permission_denied: z.boolean(),
  /** The revised answer of advanced reflection's second pass. */
  reflection: z.boolean(),
  created_at: z.string(),
  input_tokens: z.number().nullable(),
  output_tokens: z.number().nullable(),
  images: z.array(ImageRefSchema),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** A conversation without its messages. */
export const ConversationSchema = z.object({
  id: z.string(),
  title: z.string(),
  provider_id: z.string(),
  model: z.string(),
  summary: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

/** One entry of GET /api/conversations (newest first). */
export const ConversationListItemSchema = ConversationSchema.extend({
  message_count: z.number(),
  /** The start of the last user or assistant message, '' when there is none. */
  last_snippet: z.string(),
  /** True for the conversation `/api/chat` continues when given no conversation_id. */
  current: z.boolean(),
});
export type ConversationListItem = z.infer<typeof ConversationListItemSchema>;

/** Tokens a conversation has used, summed over its messages. */
export const TokenUsageSchema = z.object({ input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number() });
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

/** What a conversation's page needs besides its messages: its mode, its running turn, its waiting approvals. */
const ConversationLiveFields = {
  /** The conversation's permission mode (null: the Settings mode applies). */
  permission_mode: PermissionModeSchema.nullable(),
  /** A turn is running now (GET /api/chat/events re-subscribes to it). */
  running: z.boolean(),
  /** Tool calls of the running turn waiting for the user. */
  pending_approvals: z.array(ApprovalRequestSchema),
};

/** GET /api/chat/history: the current conversation (null after a clear) and its tokens. */
export const ChatHistorySchema = z.object({
  conversation: ConversationSchema.nullable(),
  messages: z.array(ChatMessageSchema),
  tokens: TokenUsageSchema,
  ...ConversationLiveFields,
});
/** GET /api/conversations/{id}: one conversation, as the history gives the current one. */
export const ConversationDetailSchema = z.object({
  conversation: ConversationSchema,
  messages: z.array(ChatMessageSchema),
  tokens: TokenUsageSchema,
  ...ConversationLiveFields,
});
export type ChatHistory = z.infer<typeof ChatHistorySchema>;
export type ConversationDetail = z.infer<typeof ConversationDetailSchema>;

/** POST /api/chat/clear: the conversation that was current (kept in the list), if any. */
export const ChatClearResponseSchema = z.object({ previous_conversation_id: z.string().nullable() });
export type ChatClearResponse = z.infer<typeof ChatClearResponseSchema>;

/** A part of a search snippet; `match` parts are the words the query found. Plain text, never HTML. */
export const SnippetPartSchema = z.object({ text: z.string(), match: z.boolean() });
export type SnippetPart = z.infer<typeof SnippetPartSchema>;

/** One search hit: a message, or a conversation's title/summary (`message_id` null). */
export const SearchHitSchema = z.object({
  conversation_id: z.string(),
  title: z.string(),
  message_id: z.number().nullable(),
  role: ChatRoleSchema.nullable(),
  snippet: z.array(SnippetPartSchema),
  created_at: z.string(),
  /** Higher is better (negated bm25); comparable within one answer only. */
  score: z.number(),
});
export type SearchHit = z.infer<typeof SearchHitSchema>;

/** GET /api/conversations/search */
export const SearchQuerySchema = z.strictObject({
  /** Plain words, not FTS syntax: quotes, operators and punctuation are taken literally. */
  q: z.string().trim().min(1, 'must not be empty').max(CONVERSATION_SEARCH_QUERY_MAX_CHARS),
  limit: z.coerce.number().int().min(1).max(CONVERSATION_SEARCH_LIMIT_MAX).optional(),
});
export const SearchResponseSchema = z.object({ query: z.string(), hits: z.array(SearchHitSchema) });
export type SearchResponse = z.infer<typeof SearchResponseSchema>;

/** GET /api/conversations */
export const ConversationListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(CONVERSATION_LIST_LIMIT_MAX).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});

/** GET /api/conversations/export?id= */
export const ConversationExportQuerySchema = z.strictObject({ id: z.string().min(1, 'must name a conversation') });

/** GET /api/conversations/export: a whole conversation as one JSON document. */
export const ConversationExportSchema = z.object({
  format: z.literal('atelier.conversation'),
  version: z.literal(1),
  exported_at: z.string(),
  conversation: ConversationSchema,
  messages: z.array(ChatMessageSchema),
  images: z.array(ImageRefSchema),
});
export type ConversationExport = z.infer<typeof ConversationExportSchema>;

/** Image ids are 32 lowercase hex characters; nothing else ever names a file. */
export const IMAGE_ID_PATTERN = /^[0-9a-f]{32}$/;
