/**
 * POST /api/chat: the request body, the JSON answer, and the SSE events of a streamed answer
 * (SPEC §6), shared by server and studio. Events marked `reflection: true` belong to the second
 * pass of advanced reflection, which `{reflection_start: true}` announces.
 */
import { z } from 'zod';
import { ImageInputSchema, ToolCallSchema } from './chat.js';
import { ApprovalRequestSchema, PermissionModeSchema } from './permissions.js';

export const ChatRequestSchema = z.strictObject({
  message: z.string().min(1, 'must not be empty').max(1_000_000),
  stream: z.boolean().optional(),
  conversation_id: z.string().min(1).max(100).optional(),
  /** Provider id; default the profile's active provider. */
  provider: z.string().min(1).max(64).optional(),
  /** Default the provider's model, else the profile's active model. */
  model: z.string().min(1).max(200).optional(),
  images: z.array(ImageInputSchema).optional(),
  advanced_reflection: z.boolean().optional(),
  /** The conversation's permission mode from now on; default what it had, else the Settings mode. */
  permission_mode: PermissionModeSchema.optional(),
});
export type ChatRequestBody = z.infer<typeof ChatRequestSchema>;

/** Tokens one model call, or the whole message, used. */
export const ChatUsageSchema = z.object({ input_tokens: z.number(), output_tokens: z.number() });
export type ChatUsage = z.infer<typeof ChatUsageSchema>;

/** What a tool call answered the model (the `tool_result` event). */
export const ChatToolResultSchema = z.object({
  tool_call_id: z.string(),
  content: z.string(),
  is_error: z.boolean(),
  sudo_blocked: z.boolean().optional(),
  /** The permission system refused the call (a rule, the mode, the user or the timeout): nothing ran. */
  permission_denied: z.boolean().optional(),
});
export type ChatToolResult = z.infer<typeof ChatToolResultSchema>;

/**
 * The codes of the `{error, code}` events a turn sends besides the usual ones (an AppError's
 * code, or INTERNAL for anything unexpected, whose message is then generic). TURN_STOPPED: Stop
 * was pressed, or no client watched the turn for `chat.detach_grace_s`; REPLY_CUT: the model hit
 * its output limit (what arrived is kept); TOOL_LOOP_LIMIT: the tool-call loop used all its model
 * turns. The last two are not failures: the turn's usage and `{done}` still follow.
 */
export const CHAT_ERROR_CODES = { stopped: 'TURN_STOPPED', cut: 'REPLY_CUT', loopLimit: 'TOOL_LOOP_LIMIT' } as const;
export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[keyof typeof CHAT_ERROR_CODES];

/** A turn's error: a stop, a cut, the loop's limit, or the failure that ended it. */
export const ChatErrorEventSchema = z.object({ error: z.string(), code: z.string() });

/** The decisions that take an approval card away. */
export const ApprovalResolutionSchema = z.enum(['allow_once', 'allow_always', 'deny', 'timeout', 'withdrawn']);

const reflection = { reflection: z.literal(true).optional() };

/** One SSE event of a streamed chat (POST /api/chat with `stream`, GET /api/chat/events). */
export const ChatEventSchema = z.union([
  z.object({ content: z.string(), ...reflection }),
  z.object({ thinking: z.string(), ...reflection }),
  z.object({ thinking_end: z.literal(true), ...reflection }),
  z.object({ reflection_start: z.literal(true) }),
  z.object({ tool_call: ToolCallSchema }),
  z.object({ tool_result: ChatToolResultSchema }),
  /** A tool call waits for the user's answer (POST /api/chat/approve). */
  z.object({ approval_request: ApprovalRequestSchema }),
  /** It was answered (or timed out, or the turn stopped): the card goes. */
  z.object({ approval_resolved: z.object({ id: z.string(), decision: ApprovalResolutionSchema }) }),
  /** First event: which conversation the message went to. */
  z.object({ conversation_id: z.string() }),
  z.object({ usage: ChatUsageSchema }),
  ChatErrorEventSchema,
]);
/** One event of a chat stream, `{done}` included (every stream ends with it). */
export type ChatStreamEvent = z.infer<typeof ChatEventSchema> | { done: 'true' };
/** One event a turn emits (its stream adds `{done}`). */
export type ChatTurnEvent = z.infer<typeof ChatEventSchema>;

/** Answer of POST /api/chat without `stream`. */
export const ChatResponseSchema = z.object({
  conversation_id: z.string(),
  answer: z.string(),
  usage: ChatUsageSchema,
  /** Model turns used (at most 15). */
  iterations: z.number(),
  /** Set when the loop stopped at its limit, the reply was cut, or the turn was stopped. */
  error: z.string().optional(),
  /** The error's code (CHAT_ERROR_CODES). */
  code: z.string().optional(),
});
export type ChatResponse = z.infer<typeof ChatResponseSchema>;

/** Query of GET /api/chat/events and body of POST /api/chat/stop. */
export const ChatTurnSelectorSchema = z.strictObject({ conversation_id: z.string().min(1).max(100) });

/** Answer of POST /api/chat/stop. */
export const ChatStopResponseSchema = z.object({
  conversation_id: z.string(),
  /** False when no turn was running. */
  stopped: z.boolean(),
});
export type ChatStopResponse = z.infer<typeof ChatStopResponseSchema>;

/** Body of POST /api/chat/summarize: which conversation (default the current one), with which provider and model (default the profile's). */
export const SummarizeRequestSchema = z.strictObject({
  conversation_id: z.string().min(1).max(100).optional(),
  provider: z.string().min(1).max(64).optional(),
  model: z.string().min(1).max(200).optional(),
});
export type SummarizeRequest = z.infer<typeof SummarizeRequestSchema>;

/** Answer of POST /api/chat/summarize: the summary, as stored on the conversation. */
export const SummarizeResponseSchema = z.object({ conversation_id: z.string(), summary: z.string() });
export type SummarizeResponse = z.infer<typeof SummarizeResponseSchema>;
