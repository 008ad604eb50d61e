import { join } from 'node:path';
import type { Response } from 'express';
import type { Capability } from '../context.js';
import { abortOnDisconnect } from '../http/disconnect.js';
import { streamEvents } from '../http/stream.js';
import { TurnGate } from '../http/turn-gate.js';
import { CHAT_BODY_LIMIT_BYTES, CHAT_STARTS_PER_TURN, LLM_ROUTE_RATE_LIMIT } from '../limits.js';
import type { ChatRequestBody } from '../wire/chat-events.js';
import { chatRoutes } from '../wire/routes/chat.js';
import { registerConversationRoutes } from './conversation-routes.js';
import { chatMigrations } from './migrations.js';
import { ChatService, ChatsBusyError, type StartedTurn } from './service.js';
import { ChatStore } from './store.js';

/** Chat (SPEC §7 "Chat"): POST /api/chat with the tool-call loop, its events, Stop, summaries, and the conversation routes. */
export const chatCapability: Capability = {
  name: 'chat',
  migrations: chatMigrations,
  register({ api, ctx, services }) {
    const chat = new ChatService(ctx, services, new ChatStore(ctx.db, join(ctx.paths.dataDir, 'images')));
    const { store, turns } = chat;
    const tag = 'chat';

    registerConversationRoutes(api, store, ctx, { running: (id) => turns.get(id) !== undefined, pendingApprovals: (id) => services.permissions.approvals.list(id) });

    api.route(chatRoutes.send, {
      rateLimit: LLM_ROUTE_RATE_LIMIT,
      tag,
      summary: "Send a message to the active (or given) provider: the answer once the turn is done, or with stream its events as they come (a failure is an {error, code} event, TURN_STOPPED when stopped)",
      bodyLimitBytes: CHAT_BODY_LIMIT_BYTES,
      // A hundred chats sent at once start a couple per loop turn, not all in one (http/turn-gate.ts).
      turnGate: new TurnGate(CHAT_STARTS_PER_TURN),
      handler: async ({ body, res, sse }) => {
        // Refusals (busy, unknown model, bad images, a turn running there) are plain HTTP errors, streamed or not.
        const started = start(chat, body, res);
        if (!body.stream) return chat.answer(started, abortOnDisconnect(res));
        const stream = sse();
        await streamEvents(stream, ctx.log, { conversation: started.conversationId }, (send) => started.turn.follow(send, stream.signal));
        return undefined;
      },
    });

    api.route(chatRoutes.events, {
      tag,
      summary: "SSE: the running turn's events so far (pending approvals included), then live ones until it ends; ends at once when none runs",
      handler: async ({ query, sse }) => {
        store.requireConversation(query.conversation_id);
        const stream = sse();
        await streamEvents(stream, ctx.log, { conversation: query.conversation_id }, async (send) => {
          const turn = turns.get(query.conversation_id);
          if (turn) await turn.follow(send, stream.signal);
          else send({ conversation_id: query.conversation_id });
        });
        return undefined;
      },
    });

    api.route(chatRoutes.stop, {
      tag,
      summary: 'Abort the running turn now: waiting approvals are withdrawn, running tools are killed with their process group',
      handler: ({ body }) => {
        store.requireConversation(body.conversation_id);
        return { conversation_id: body.conversation_id, stopped: turns.stop(body.conversation_id) };
      },
    });

    api.route(chatRoutes.summarize, {
      rateLimit: LLM_ROUTE_RATE_LIMIT,
      tag,
      summary: 'Summarize a conversation (default: the current one) with the given or active provider, and store the summary',
      // A client that leaves stops the model's work for it (and its billing) at once.
      handler: ({ body, res }) => chat.summarize(body, abortOnDisconnect(res)),
    });
  },
};

/** Starts the message's turn; a refusal because every chat slot is busy says when to retry. */
function start(chat: ChatService, body: ChatRequestBody, res: Response): StartedTurn {
  try {
    return chat.send(body);
  } catch (err) {
    if (err instanceof ChatsBusyError) res.setHeader('Retry-After', String(err.retryAfterS));
    throw err;
  }
}
