/**
 * POST /api/chat: the request body and the SSE events of a streamed answer (SPEC §6), shared by
 * server and studio. Events marked `reflection: true` belong to the second pass of advanced
 * reflection, which `{reflection_start: true}` announces.
 */
import { z } from 'zod';
import { ImageInputSchema } from './chat.js';
import { PermissionModeSchema, type ApprovalRequest } from './permissions.js';

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

/** One SSE event of a streamed chat. */
export type ChatStreamEvent =
  | { content: string; reflection?: true }
  | { thinking: string; reflection?: true }
  | { thinking_end: true; reflection?: true }
  | { reflection_start: true }
  | { tool_call: { tool_call_id: string; name: string; args: unknown } }
  | { tool_result: { tool_call_id: string; content: string; is_error: boolean; sudo_blocked?: boolean; permission_denied?: boolean } }
  /** A tool call waits for the user's answer (POST /api/chat/approve). */
  | { approval_request: ApprovalRequest }
  /** It was answered (or timed out, or the turn stopped): the card goes. */
  | { approval_resolved: { id: string; decision: 'allow_once' | 'allow_always' | 'deny' | 'timeout' | 'withdrawn' } }
  /** First event: which conversation the message went to. */
  | { conversation_id: string }
  | { usage: { input_tokens: number; output_tokens: number } }
  | { error: string }
  | { done: 'true' };

/** Answer of POST /api/chat without `stream`. */
export interface ChatResponse {
  conversation_id: string;
  answer: string;
  usage: { input_tokens: number; output_tokens: number };
  /** Model turns used (at most 15). */
  iterations: number;
  /** Set when the loop stopped at its limit or the provider failed mid-way. */
  error?: string;
}

/** Query of GET /api/chat/events and body of POST /api/chat/stop. */
export const ChatTurnSelectorSchema = z.strictObject({ conversation_id: z.string().min(1).max(100) });

/** Answer of POST /api/chat/stop. */
export interface ChatStopResponse {
  conversation_id: string;
  /** False when no turn was running. */
  stopped: boolean;
}

/** Body of POST /api/chat/summarize: which conversation (default the current one), with which provider and model (default the profile's). */
export const SummarizeRequestSchema = z.strictObject({
  conversation_id: z.string().min(1).max(100).optional(),
  provider: z.string().min(1).max(64).optional(),
  model: z.string().min(1).max(200).optional(),
});
