import { createReadStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../context.js';
import type { Api } from '../http/api.js';
import { AppError } from '../http/errors.js';
import { IMAGE_CACHE_MAX_AGE_S } from '../limits.js';
import { IMAGE_ID_PATTERN } from '../wire/chat.js';
import type { ApprovalRequest } from '../wire/permissions.js';
import { chatRoutes } from '../wire/routes/chat.js';
import type { ChatStore } from './store.js';

const FILE_EXTENSION: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

function unknownConversation(id: string): AppError {
  return new AppError(404, 'NOT_FOUND', `No conversation ${JSON.stringify(id)}`);
}

/** What the live side of the chat knows about a conversation (the service owns the running turns). */
export interface LiveTurns {
  running(conversationId: string): boolean;
  pendingApprovals(conversationId: string): ApprovalRequest[];
}

/**
 * History, clear, list, search, export and delete of conversations, and the image files
 * (SPEC §7 "Chat" and "Tools & images"). POST /api/chat, its events, Stop and summaries live in routes.ts.
 */
export function registerConversationRoutes(api: Api, store: ChatStore, ctx: AppContext, live: LiveTurns): void {
  const tag = 'chat';
  /** What a conversation's page needs besides its messages: its mode, its running turn, its waiting approvals. */
  const liveState = (id: string) => ({ permission_mode: store.permissionMode(id), running: live.running(id), pending_approvals: live.pendingApprovals(id) });

  api.route(chatRoutes.history, {
    tag,
    summary: 'The current conversation (null after a clear), its messages, the tokens it used, and its running turn and waiting approvals',
    handler: () => {
      const history = store.history();
      return history.conversation ? { ...history, ...liveState(history.conversation.id) } : { ...history, running: false, pending_approvals: [] };
    },
  });
  api.route(chatRoutes.clear, {
    tag,
    summary: 'Start afresh: no conversation is current; the previous one stays in the list',
    handler: () => store.clear(),
  });

  api.route(chatRoutes.list, {
    tag,
    summary: 'Conversations, most recently updated first, with message count and last-message preview',
    handler: ({ query }) => store.listConversations(query),
  });
  api.route(chatRoutes.search, {
    tag,
    summary: 'Full-text search of messages, titles and summaries (q is plain words), ranked, with snippets',
    handler: ({ query }) => ({ query: query.q, hits: store.search(query.q, query.limit) }),
  });
  api.route(chatRoutes.export, {
    tag,
    summary: 'One conversation as a JSON download: conversation, messages, image references',
    handler: ({ query, res }) => {
      const doc = store.export(query.id);
      res.setHeader('Content-Disposition', `attachment; filename="atelier-conversation-${doc.conversation.id}.json"`);
      return doc;
    },
  });
  api.route(chatRoutes.get, {
    tag,
    summary: 'One conversation with its messages, the tokens it used, its permission mode, and its running turn and waiting approvals',
    handler: ({ params }) => {
      const found = store.getConversation(params.id);
      if (!found) throw unknownConversation(params.id);
      return { ...found, ...liveState(params.id) };
    },
  });
  api.route(chatRoutes.delete, {
    tag,
    summary: 'Delete a conversation with its messages and image files (204)',
    handler: ({ params }) => {
      if (!store.deleteConversation(params.id)) throw unknownConversation(params.id);
      ctx.log.info({ conversation: params.id }, 'conversation deleted');
      return undefined;
    },
  });

  api.route(chatRoutes.image, {
    tag,
    summary: 'An image attached to a message: its bytes, with the type sniffed from its content (not JSON)',
    handler: async ({ params, res }) => {
      const image = IMAGE_ID_PATTERN.test(params.id) ? store.image(params.id) : null;
      if (!image) throw new AppError(404, 'NOT_FOUND', 'No such image');
      res.writeHead(200, {
        'Content-Type': image.mime,
        'Content-Length': String(statSync(image.path).size),
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': `private, max-age=${IMAGE_CACHE_MAX_AGE_S}, immutable`,
        'Content-Disposition': `inline; filename="${image.id}.${FILE_EXTENSION[image.mime] ?? 'bin'}"`,
      });
      await pipeline(createReadStream(image.path), res);
      return undefined;
    },
  });
}
