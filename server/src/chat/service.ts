/**
 * The chat's work, without HTTP: sending a message (provider, images, conversation, the turn
 * and its engine run), summarizing a conversation, the tools the model may call, and the system
 * prompt. The routes (routes.ts, conversation-routes.ts) validate and call this.
 */
import { hostname, platform, userInfo } from 'node:os';
import type { AppContext } from '../context.js';
import { AppError } from '../http/errors.js';
import { streamError } from '../http/stream.js';
import { CHAT_BUSY_RETRY_AFTER_S, CHAT_MAX_CONCURRENT } from '../limits.js';
import { isMcpToolName } from '../mcp/tool-names.js';
import { completeChat, recordUsage, resolveProvider } from '../providers/index.js';
import type { Services } from '../services.js';
import { CHAT_ERROR_CODES, type ChatRequestBody, type ChatResponse, type ChatTurnEvent, type SummarizeRequest, type SummarizeResponse } from '../wire/chat-events.js';
import { ChatEngine, type ChatTools } from './engine.js';
import { checkImages } from './images.js';
import type { ChatStore } from './store.js';
import { Turns, type Turn } from './turns.js';

/** 429: CHAT_MAX_CONCURRENT turns run already; the route says when to retry. */
export class ChatsBusyError extends AppError {
  readonly retryAfterS = CHAT_BUSY_RETRY_AFTER_S;
  constructor() {
    super(429, 'RATE_LIMITED', `${CHAT_MAX_CONCURRENT} chats are already running; retry shortly`);
  }
}

/** A message's turn, started by `send`. */
export interface StartedTurn {
  conversationId: string;
  turn: Turn;
  /** Settles when the turn has ended: the engine's result, or what made it fail (its error event is in the turn by then). */
  result: Promise<{ ok: true; answer: string; usage: ChatResponse['usage']; iterations: number } | { ok: false; failure: unknown }>;
}

/** The tools of a chat: the built-in ones, then those of Atelier's enabled MCP servers (`mcp__<server>__<tool>`), each call through the permission system. */
export function chatTools(ctx: AppContext, services: Services, store: ChatStore): ChatTools {
  const { toolbox, mcp, permissions } = services;
  return {
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
}

/** The system prompt of every turn: whose machine this is, what the tools can do, and whether sudo may be used. */
export function systemPrompt(ctx: AppContext): () => string {
  // The account does not change while we run; asking the OS costs ~0.1 ms per message.
  let account: string | undefined;
  return () => {
    const profile = ctx.config.get().profile;
    return [
      `You are the assistant inside Atelier, a control panel on ${profile.name || (account ??= userInfo().username)}'s workstation (${platform()}, host ${hostname()}).`,
      'You can act on the machine with the tools offered: run shell commands, read, write, list and search files, and delegate to the crush and claude agents.',
      profile.sudo_bypass ? 'Commands may use sudo.' : 'Commands that use sudo, doas, pkexec or su are blocked; do not try them.',
      'Prefer reading before writing. Answer in Markdown.',
    ].join(' ');
  };
}

/**
 * The event a turn's failure becomes. A stopped turn (Stop, or no one watched it for
 * chat.detach_grace_s) says so with TURN_STOPPED; anything else goes through `streamError`: an
 * AppError (a provider's refusal) keeps its message and code, any other error is logged and
 * sent as INTERNAL without its internals.
 */
function turnError(turn: Turn, err: unknown, ctx: AppContext): ChatTurnEvent {
  if (turn.signal.aborted) {
    const why = (turn.signal.reason as Error | undefined)?.message ?? 'aborted';
    return { error: `The turn was stopped: ${why}`, code: CHAT_ERROR_CODES.stopped };
  }
  return streamError(err, ctx.log, { conversation: turn.conversationId });
}

export class ChatService {
  readonly turns: Turns;
  readonly #engine: ChatEngine;
  #running = 0;

  constructor(
    private readonly ctx: AppContext,
    services: Services,
    readonly store: ChatStore,
  ) {
    this.turns = new Turns(() => ctx.config.get().chat.detach_grace_s);
    this.#engine = new ChatEngine(store, ctx.db, chatTools(ctx, services, store), systemPrompt(ctx));
  }

  /**
   * The body of POST /api/chat: refuses what cannot run (busy, unknown provider or model, bad
   * images, a turn already running there) before anything is stored, then stores the message
   * and starts its turn. The turn runs on its own: a client that goes away leaves it running for
   * chat.detach_grace_s (a reload re-subscribes with GET /api/chat/events); Stop aborts it at once.
   */
  send(body: ChatRequestBody): StartedTurn {
    if (this.#running >= CHAT_MAX_CONCURRENT) throw new ChatsBusyError();
    const { ctx, store } = this;
    const { provider, model } = resolveProvider(ctx.config.get(), { provider: body.provider, model: body.model });
    // Refuse bad images before a conversation is opened or made current for this message.
    // Decoded and hashed once, here: the store takes them as checked.
    const images = checkImages(body.images ?? []);
    const target = body.conversation_id ?? store.currentConversation()?.id;
    if (target !== undefined && this.turns.get(target)) throw new AppError(409, 'CONFLICT', 'A turn is already running in this conversation; wait for it or stop it (POST /api/chat/stop)');
    // One commit for both: the conversation opened (or made current) and the message stored.
    const { conversation, userMessage } = ctx.db.transaction(() => {
      const opened = store.openForChat({ conversation_id: body.conversation_id, provider_id: provider.id, model, message: body.message });
      if (body.permission_mode) store.setPermissionMode(opened.id, body.permission_mode);
      return { conversation: opened, userMessage: store.appendMessage(opened.id, { role: 'user', content: body.message, checkedImages: images }) };
    })();
    const turn = this.turns.start(conversation.id);
    this.#running++;
    turn.emit({ conversation_id: conversation.id });
    const result: StartedTurn['result'] = this.#engine
      .run({ conversationId: conversation.id, provider, model, userMessage, reflect: body.advanced_reflection ?? false, signal: turn.signal, emit: (event) => turn.emit(event) })
      .then(
        (r) => {
          turn.emit({ usage: r.usage });
          return { ok: true as const, ...r };
        },
        (failure: unknown) => {
          turn.emit(turnError(turn, failure, ctx));
          return { ok: false as const, failure };
        },
      )
      .finally(() => {
        this.#running--;
        this.turns.end(turn);
      });
    return { conversationId: conversation.id, turn, result };
  }

  /**
   * POST /api/chat without stream: the answer once the turn has ended. A client that leaves
   * (`signal`) lets the turn go as a stream's reader would. A turn that failed (not stopped)
   * fails the request with its code; a stop, a cut or the loop's limit is the answer's error.
   */
  async answer(started: StartedTurn, signal: AbortSignal): Promise<ChatResponse> {
    await started.turn.follow(() => {}, signal);
    const done = await started.result;
    // An unexpected failure was logged when it became the turn's error event: answer it as
    // INTERNAL here rather than have the error middleware log it a second time.
    if (!done.ok && !started.turn.signal.aborted) throw done.failure instanceof AppError ? done.failure : new AppError(500, 'INTERNAL', 'Internal server error');
    const error = started.turn.events.filter((event) => 'error' in event).at(-1);
    return {
      conversation_id: started.conversationId,
      answer: done.ok ? done.answer : '',
      usage: done.ok ? done.usage : { input_tokens: 0, output_tokens: 0 },
      iterations: done.ok ? done.iterations : 0,
      ...(error && { error: error.error, code: error.code }),
    };
  }

  /** POST /api/chat/summarize: the conversation's user and assistant messages summarized by the model, stored as its summary. */
  async summarize(body: SummarizeRequest, signal: AbortSignal): Promise<SummarizeResponse> {
    const { ctx, store } = this;
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
      signal,
    });
    recordUsage(ctx.db, { provider_id: provider.id, model, ...done.usage });
    store.setSummary(conversation.id, done.text);
    return { conversation_id: conversation.id, summary: done.text };
  }
}
