import { join } from 'node:path';
import { hostname, platform, userInfo } from 'node:os';
import type { Capability } from '../context.js';
import { abortOnDisconnect } from '../http/disconnect.js';
import { AppError } from '../http/errors.js';
import { SseWriter } from '../http/sse.js';
import { TurnGate } from '../http/turn-gate.js';
import { CHAT_BODY_LIMIT_BYTES, CHAT_MAX_CONCURRENT, CHAT_STARTS_PER_TURN, LLM_ROUTE_RATE_LIMIT } from '../limits.js';
import { completeChat, recordUsage, resolveProvider } from '../providers/index.js';
import { isMcpToolName } from '../mcp/tool-names.js';
import { ChatRequestSchema, ChatTurnSelectorSchema, SummarizeRequestSchema, type ChatResponse, type ChatStopResponse } from '../wire/chat-events.js';
import { registerConversationRoutes } from './conversation-routes.js';
import { ChatEngine, type ChatTools } from './engine.js';
import { checkImages } from './images.js';
import { chatMigrations } from './migrations.js';
import { ChatStore } from './store.js';
import { Turns, type Turn } from './turns.js';

/** Retry-After (seconds) suggested when every chat slot is busy. */
const BUSY_RETRY_AFTER_S = 2;

/** Chat (SPEC §7 "Chat"): POST /api/chat with the tool-call loop, summaries, and the conversation routes. */
export const chatCapability: Capability = {
  name: 'chat',
  migrations: chatMigrations,
  register({ api, ctx, services }) {
    const store = new ChatStore(ctx.db, join(ctx.paths.dataDir, 'images'));
    const { toolbox, mcp, permissions } = services;
    const turns = new Turns(() => ctx.config.get().chat.detach_grace_s);
    const tools: ChatTools = {
      // Built-in tools, then those of Atelier's enabled MCP servers (`mcp__<server>__<tool>`).
      specs: async () => [...toolbox.list().map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })), ...(await mcp.toolSpecs())],
      // A call the toolbox refuses outright (unknown tool, bad arguments, agents busy) is still
      // an answer the model should see, not the end of the turn.
      // Every call goes through the permission system first: an ask waits for the user's answer.
      call: async (name, args, signal, call) => {
        try {
          // A call that could not run (unknown tool, bad arguments) is answered before anyone is asked about it.
          if (!isMcpToolName(name)) toolbox.validate(name, args);
        } catch (err) {
          if (err instanceof AppError) return { content: err.message, is_error: true };
          throw err;
        }
        const verdict = await permissions.authorize({
          tool: name,
          args,
          source: 'chat',
          onAsk: 'wait',
          conversationId: call.conversationId,
          toolCallId: call.toolCallId,
          mode: store.permissionMode(call.conversationId) ?? ctx.config.get().permissions.mode,
          signal,
          announce: (request) => call.emit({ approval_request: request }),
          settled: (request, decision) => call.emit({ approval_resolved: { id: request.id, decision } }),
        });
        if (!verdict.allowed) {
          if (verdict.decision.sudo_blocked) return { content: verdict.reason, is_error: true, sudo_blocked: true };
          const note = !verdict.ask && verdict.note ? ` The user's note: ${verdict.note}` : '';
          return { content: `Permission denied: ${verdict.reason}.${note}`, is_error: true, permission_denied: true };
        }
        if (isMcpToolName(name)) return mcp.call(name, args, signal);
        try {
          return await toolbox.call(name, args, signal, { ...(verdict.agentScope && { agentScope: verdict.agentScope }) });
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

    registerConversationRoutes(api, store, ctx, { running: (id) => turns.get(id) !== undefined, pendingApprovals: (id) => permissions.approvals.list(id) });

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
        // Decoded and hashed once, here: the store takes them as checked.
        const images = checkImages(body.images ?? []);
        const target = body.conversation_id ?? store.currentConversation()?.id;
        if (target !== undefined && turns.get(target)) throw new AppError(409, 'CONFLICT', 'A turn is already running in this conversation; wait for it or stop it (POST /api/chat/stop)');
        // One commit for both: the conversation opened (or made current) and the message stored.
        // Images are checked (count, size, content type) here, before anything streams.
        const { conversation, userMessage } = ctx.db.transaction(() => {
          const opened = store.openForChat({ conversation_id: body.conversation_id, provider_id: provider.id, model, message: body.message });
          if (body.permission_mode) store.setPermissionMode(opened.id, body.permission_mode);
          return { conversation: opened, userMessage: store.appendMessage(opened.id, { role: 'user', content: body.message, checkedImages: images }) };
        })();
        // The turn runs on its own: a client that goes away leaves it running for chat.detach_grace_s
        // (a reload re-subscribes with GET /api/chat/events); Stop aborts it at once.
        const turn = turns.start(conversation.id);
        running++;
        turn.emit({ conversation_id: conversation.id });
        let error: string | undefined;
        let failure: unknown;
        const result = engine
          .run({ conversationId: conversation.id, provider, model, userMessage, reflect: body.advanced_reflection ?? false, signal: turn.signal, emit: (event) => turn.emit(event) })
          .then(
            (r) => {
              turn.emit({ usage: r.usage });
              return r;
            },
            (err: unknown) => {
              failure = err;
              error = turn.signal.aborted ? `The turn was stopped: ${(turn.signal.reason as Error | undefined)?.message ?? 'aborted'}` : err instanceof Error ? err.message : String(err);
              turn.emit({ error });
              return null;
            },
          )
          .finally(() => {
            running--;
            turns.end(turn);
          });

        if (body.stream) {
          await relay(turn, new SseWriter(res));
          return undefined;
        }
        const unsubscribe = turn.subscribe((event) => {
          if ('error' in event) error = event.error;
        });
        abortOnDisconnect(res).addEventListener('abort', unsubscribe, { once: true });
        const done = await result;
        unsubscribe();
        // Without a stream, a turn that failed before it answered fails the request with its code.
        if (done === null && !turn.signal.aborted) throw failure;
        const answer: ChatResponse = {
          conversation_id: conversation.id,
          answer: done?.answer ?? '',
          usage: done?.usage ?? { input_tokens: 0, output_tokens: 0 },
          iterations: done?.iterations ?? 0,
          ...(error !== undefined && { error }),
        };
        return answer;
      },
    });

    api.route({
      method: 'get',
      path: '/api/chat/events',
      tag: 'chat',
      summary: "SSE: the running turn's events so far (pending approvals included), then live ones until it ends; ends at once when none runs",
      query: ChatTurnSelectorSchema,
      streams: true,
      handler: async ({ query, req, res }) => {
        store.requireConversation(query.conversation_id);
        const sse = new SseWriter(res);
        const turn = turns.get(query.conversation_id);
        if (!turn) {
          sse.send({ conversation_id: query.conversation_id });
          sse.done();
          return undefined;
        }
        await relay(turn, sse);
        return undefined;
      },
    });

    api.route({
      method: 'post',
      path: '/api/chat/stop',
      tag: 'chat',
      summary: 'Abort the running turn now: waiting approvals are withdrawn, running tools are killed with their process group',
      body: ChatTurnSelectorSchema,
      handler: ({ body }): ChatStopResponse => {
        store.requireConversation(body.conversation_id);
        return { conversation_id: body.conversation_id, stopped: turns.stop(body.conversation_id) };
      },
    });

    api.route({
      method: 'post',
      path: '/api/chat/summarize',
      rateLimit: LLM_ROUTE_RATE_LIMIT,
      tag: 'chat',
      summary: 'Summarize a conversation (default: the current one) with the given or active provider',
      body: SummarizeRequestSchema,
      handler: async ({ body, res }) => {
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
          // A client that leaves stops the model's work for it (and its billing) at once.
          signal: abortOnDisconnect(res),
        });
        recordUsage(ctx.db, { provider_id: provider.id, model, ...done.usage });
        store.setSummary(conversation.id, done.text);
        return { conversation_id: conversation.id, summary: done.text };
      },
    });
  },
};

/** Streams a turn's events (those so far, then live) until it ends or the client leaves. */
async function relay(turn: Turn, sse: SseWriter): Promise<void> {
  const unsubscribe = turn.subscribe((event) => sse.send(event));
  await Promise.race([turn.whenFinished(), new Promise((resolve) => sse.signal.addEventListener('abort', resolve, { once: true }))]);
  unsubscribe();
  sse.done();
}
