/** Routes of the chat capability (SPEC §7 "Chat"; the image files of "Tools & images"). */
import { z } from 'zod';
import type { Contract } from '../contract.js';
import {
  ChatClearResponseSchema,
  ChatHistorySchema,
  ConversationDetailSchema,
  ConversationExportQuerySchema,
  ConversationExportSchema,
  ConversationListItemSchema,
  ConversationListQuerySchema,
  SearchQuerySchema,
  SearchResponseSchema,
} from '../chat.js';
import {
  ChatEventSchema,
  ChatRequestSchema,
  ChatResponseSchema,
  ChatStopResponseSchema,
  ChatTurnSelectorSchema,
  SummarizeRequestSchema,
  SummarizeResponseSchema,
} from '../chat-events.js';
import { IdParams, NoBody, NoContentSchema, NoQuery } from './common.js';

export const chatRoutes = {
  /** JSON when the turn is done, or (body.stream) its events as they come. */
  send: { method: 'post', path: '/api/chat', body: ChatRequestSchema, response: ChatResponseSchema, events: ChatEventSchema },
  events: { method: 'get', path: '/api/chat/events', query: ChatTurnSelectorSchema, events: ChatEventSchema },
  stop: { method: 'post', path: '/api/chat/stop', body: ChatTurnSelectorSchema, response: ChatStopResponseSchema },
  summarize: { method: 'post', path: '/api/chat/summarize', body: SummarizeRequestSchema, response: SummarizeResponseSchema },
  history: { method: 'get', path: '/api/chat/history', query: NoQuery, response: ChatHistorySchema },
  clear: { method: 'post', path: '/api/chat/clear', body: NoBody, response: ChatClearResponseSchema },
  list: { method: 'get', path: '/api/conversations', query: ConversationListQuerySchema, response: z.array(ConversationListItemSchema) },
  search: { method: 'get', path: '/api/conversations/search', query: SearchQuerySchema, response: SearchResponseSchema },
  export: { method: 'get', path: '/api/conversations/export', query: ConversationExportQuerySchema, response: ConversationExportSchema },
  get: { method: 'get', path: '/api/conversations/:id', params: IdParams, query: NoQuery, response: ConversationDetailSchema },
  delete: { method: 'delete', path: '/api/conversations/:id', params: IdParams, query: NoQuery, response: NoContentSchema },
  /** The image's bytes, typed by its sniffed Content-Type. */
  image: { method: 'get', path: '/api/images/:id', params: IdParams, query: NoQuery, file: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] },
} as const satisfies Record<string, Contract>;
