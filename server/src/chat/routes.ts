import { join } from 'node:path';
import { hostname, platform, userInfo } from 'node:os';
import type { Capability } from '../context.js';
import { abortOnDisconnect } from '../http/disconnect.js';
import { AppError } from '../http/errors.js';
import { SseWriter } from '../http/sse.js';
import { TurnGate } from '../http/turn-gate.js';
import { CHAT_BODY_LIMIT_BYTES, CHAT_MAX_CONCURRENT, CHAT_STARTS_PER_TURN, LLM_ROUTE_RATE_LIMIT } from '../limits.js';
import { completeChat, recordUsage, resolveProvider } from '../providers/index.js';
import { toolboxFor } from '../tools/registry.js';
import { mcpHubFor } from '../mcp/hub.js';
import { isMcpToolName } from '../mcp/tool-names.js';
import { ChatRequestSchema, SummarizeRequestSchema, type ChatResponse, type ChatStreamEvent } from '../wire/chat-events.js';
import { registerConversationRoutes } from './conversation-routes.js';
import { ChatEngine, type ChatTools } from './engine.js';
import { checkImages } from './images.js';
import { chatMigrations } from './migrations.js';
import { ChatStore } from './store.js';

/** Retry-After (seconds) suggested when every chat slot is busy. */
const BUSY_RETRY_AFTER_S = 2;

/** Chat (SPEC §7 "Chat"): POST /api/chat with the tool-call loop, summaries, and the conversation routes. */
export const chatCapability: Capability = {
  name: 'chat',
  migrations: chatMigrations,
  register({ api, ctx }) {
    const store = new ChatStore(ctx.db, join(ctx.paths.dataDir, 'images'));
    const toolbox = toolboxFor(ctx);
    const mcp = mcpHubFor(ctx);
    const tools: ChatTools = {
      // Built-in tools, then those of Atelier's enabled MCP servers (`mcp__<server>__<tool>`).
      specs: async () => [...toolbox.list().map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })), ...(await mcp.toolSpecs())],
      // A call the toolbox refuses outright (unknown tool, bad arguments, agents busy) is still
      // an answer the model should see, not the end of the turn.
      call: async (name, args, signal) => {
        if (isMcpToolName(name)) return mcp.call(name, args, signal);
        try {
          return await toolbox.call(name, args, signal);
        } catch (err) {
          if (err instanceof AppError) return { content: err.message, is_error: true };
          throw err;
        }
      },
    };
    // The account does not change while we run; asking the OS costs ~0.1 ms per message.
    let account: string | undefined;
    const systemPrompt = (): string => {
      const profile = ctx.config.get().profile;
      return [
        `You are the assistant inside Atelier, a control panel on ${profile.name || (account ??= userInfo().username)}'s workstation (${platform()}, host ${hostname()}).`,
        'You can act on the machine with the tools offered: run shell commands, read, write, list and search files, and delegate to the crush and claude agents.',
        profile.sudo_bypass ? 'Commands may use sudo.' : 'Commands that use sudo, doas, pkexec or su are blocked; do not try them.',
        'Prefer reading before writing. Answer in Markdown.',
      ].join(' ');
    };
    const engine = new ChatEngine(store, ctx.db, tools, systemPrompt);
    let running = 0;

    registerConversationRoutes(api, store, ctx);

    api.route({
      method: 'post',
      path: '/api/chat',
      rateLimit: LLM_ROUTE_RATE_LIMIT,
      tag: 'chat',
      summary: 'Send a message to the active (or given) provider; SSE when stream is true',
      body: ChatRequestSchema,
      bodyLimitBytes: CHAT_BODY_LIMIT_BYTES,
      streams: true,
      // A hundred chats sent at once start a couple per loop turn, not all in one (http/turn-gate.ts).
      turnGate: new TurnGate(CHAT_STARTS_PER_TURN),
      handler: async ({ body, req, res }) => {
        if (running >= CHAT_MAX_CONCURRENT) {
          res.setHeader('Retry-After', String(BUSY_RETRY_AFTER_S));
          throw new AppError(429, 'RATE_LIMITED', `${CHAT_MAX_CONCURRENT} chats are already running; retry shortly`);
        }
        const { provider, model } = resolveProvider(ctx.config.get(), { provider: body.provider, model: body.model });
        // Refuse bad images before a conversation is opened or made current for this message.
        checkImages(body.images ?? []);
        // One commit for both: the conversation opened (or made current) and the message stored.
        // Images are checked (count, size, content type) here, before anything streams.
        const { conversation, userMessage } = ctx.db.transaction(() => {
          const opened = store.openForChat({ conversation_id: body.conversation_id, provider_id: provider.id, model, message: body.message });
          return { conversation: opened, userMessage: store.appendMessage(opened.id, { role: 'user', content: body.message, images: body.images ?? [] }) };
        })();
        running++;
        try {
          if (body.stream) {
            const sse = new SseWriter(req, res);
            const emit = (event: ChatStreamEvent): void => sse.send(event);
            emit({ conversation_id: conversation.id });
            try {
              const result = await engine.run({ conversationId: conversation.id, provider, model, userMessage, reflect: body.advanced_reflection ?? false, signal: sse.signal, emit });
              emit({ usage: result.usage });
            } catch (err) {
              if (!sse.signal.aborted) emit({ error: err instanceof Error ? err.message : String(err) });
            }
            sse.done();
            return undefined;
          }
          let error: string | undefined;
          const result = await engine.run({
            conversationId: conversation.id,
            provider,
            model,
            userMessage,
            reflect: body.advanced_reflection ?? false,
            signal: abortOnDisconnect(res),
            emit: (event) => {
              if ('error' in event) error = event.error;
            },
          });
          const answer: ChatResponse = { conversation_id: conversation.id, answer: result.answer, usage: result.usage, iterations: result.iterations, ...(error !== undefined && { error }) };
          return answer;
        } finally {
          running--;
        }
      },
    });

    api.route({
      method: 'post',
      path: '/api/chat/summarize',
      rateLimit: LLM_ROUTE_RATE_LIMIT,
      tag: 'chat',
      summary: 'Summarize a conversation (default: the current one) with the given or active provider',
      body: SummarizeRequestSchema,
      handler: async ({ body }) => {
        const id = body.conversation_id ?? store.currentConversation()?.id;
        if (!id) throw new AppError(404, 'NOT_FOUND', 'There is no conversation to summarize');
        const conversation = store.requireConversation(id);
        const transcript = store
          .messages(id)
          .filter((m) => m.role === 'user' || m.role === 'assistant')
          .map((m) => `${m.role}: ${m.content}`)
          .join('\n\n');
        if (!transcript) throw new AppError(409, 'CONFLICT', 'The conversation has no messages yet');
        const { provider, model } = resolveProvider(ctx.config.get(), { provider: body.provider, model: body.model });
        const done = await completeChat({
          provider,
          model,
          messages: [
            { role: 'system', content: 'Summarize the conversation below in a few sentences: the question, what was done, and the outcome.' },
            { role: 'user', content: transcript },
          ],
        });
        recordUsage(ctx.db, { provider_id: provider.id, model, ...done.usage });
        store.setSummary(conversation.id, done.text);
        return { conversation_id: conversation.id, summary: done.text };
      },
    });
  },
};
