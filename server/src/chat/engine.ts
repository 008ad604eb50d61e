import { readFile } from 'node:fs/promises';
import type Database from 'better-sqlite3';
import { CHAT_HISTORY_MESSAGES_MAX, CHAT_MAX_TOOL_ITERATIONS } from '../limits.js';
import { recordUsage, streamChat, type ChatMessage as ModelMessage, type ImageInput, type ToolSpec } from '../providers/index.js';
import type { Provider } from '../wire/config.js';
import type { ChatMessage as StoredMessage, ToolCall } from '../wire/chat.js';
import { CHAT_ERROR_CODES, type ChatTurnEvent } from '../wire/chat-events.js';
import type { ChatStore } from './store.js';
import type { ToolOutcome } from '../tools/outcome.js';

/** Which call of which turn a tool run is, for the permission system's approvals. */
export interface ToolCallContext {
  conversationId: string;
  toolCallId: string;
  emit: (event: ChatTurnEvent) => void;
}

/** The tools the model may call. */
export interface ChatTools {
  /** Asked once per run; may start MCP servers, hence the promise. */
  specs(): ToolSpec[] | Promise<ToolSpec[]>;
  call(name: string, args: Record<string, unknown>, signal: AbortSignal, context: ToolCallContext): Promise<ToolOutcome>;
}

export interface ChatTurn {
  conversationId: string;
  provider: Provider;
  model: string;
  /** The new user message, already stored. */
  userMessage: StoredMessage;
  reflect: boolean;
  signal: AbortSignal;
  emit: (event: ChatTurnEvent) => void;
}

export interface ChatTurnResult {
  answer: string;
  usage: { input_tokens: number; output_tokens: number };
  iterations: number;
}

const REFLECTION_PROMPT =
  'Critique your previous answer: is it correct, complete and clear? Then write an improved final answer. Reply with the improved answer only.';

/**
 * One user message through the tool-call loop: the model answers, may call tools, sees their
 * results and answers again, at most CHAT_MAX_TOOL_ITERATIONS model turns. Everything said is
 * stored as it completes, so an aborted turn keeps what happened before the abort.
 */
export class ChatEngine {
  constructor(
    private readonly store: ChatStore,
    private readonly db: Database.Database,
    private readonly tools: ChatTools,
    private readonly systemPrompt: () => string,
  ) {}

  async run(turn: ChatTurn): Promise<ChatTurnResult> {
    const messages: ModelMessage[] = [{ role: 'system', content: this.systemPrompt() }, ...(await this.#history(turn))];
    const usage = { input_tokens: 0, output_tokens: 0 };
    const specs = await this.tools.specs();
    let answer = '';
    let iterations = 0;
    let finished = false;
    while (iterations < CHAT_MAX_TOOL_ITERATIONS && !finished) {
      iterations++;
      const step = await this.#modelTurn(turn, messages, { specs }, usage, false);
      answer = step.text;
      if (step.cut) {
        // Whatever the model was writing (text or a tool call's arguments) is incomplete: say so, run nothing.
        turn.emit({
          error: `The reply was cut at the model's output limit (max_tokens)${step.calls.length > 0 ? '; the tool call it was writing is incomplete and did not run' : ''}. What arrived is kept.`,
          code: CHAT_ERROR_CODES.cut,
        });
        return { answer, usage, iterations };
      }
      if (step.calls.length === 0) {
        finished = true;
        break;
      }
      await this.#runTools(turn, messages, step);
    }
    if (!finished) {
      turn.emit({ error: `Stopped after ${CHAT_MAX_TOOL_ITERATIONS} model turns, the limit of the tool-call loop; the model was still calling tools.`, code: CHAT_ERROR_CODES.loopLimit });
      return { answer, usage, iterations };
    }
    if (turn.reflect) {
      turn.emit({ reflection_start: true });
      messages.push({ role: 'assistant', content: answer }, { role: 'user', content: REFLECTION_PROMPT });
      // The same tools, not to call: Anthropic refuses a history holding tool_use blocks without them.
      answer = (await this.#modelTurn(turn, messages, { specs, choice: 'none' }, usage, true)).text;
    }
    return { answer, usage, iterations };
  }

  /** One streamed model call; text and thinking are relayed as they come and the reply is stored. */
  async #modelTurn(turn: ChatTurn, messages: ModelMessage[], tools: { specs: ToolSpec[]; choice?: 'none' }, usage: ChatTurnResult['usage'], reflection: boolean) {
    const mark = reflection ? { reflection: true as const } : {};
    let text = '';
    let thinking = '';
    let signature: string | undefined;
    const calls: { id: string; name: string; args: Record<string, unknown>; args_error?: string }[] = [];
    const turnUsage = { input_tokens: 0, output_tokens: 0 };
    let cut = false;
    try {
      for await (const event of streamChat({ provider: turn.provider, model: turn.model, messages, ...(tools.specs.length > 0 && { tools: tools.specs, ...(tools.choice && { tool_choice: tools.choice }) }), signal: turn.signal })) {
        switch (event.type) {
          case 'text':
            text += event.text;
            turn.emit({ content: event.text, ...mark });
            break;
          case 'thinking':
            thinking += event.text;
            turn.emit({ thinking: event.text, ...mark });
            break;
          case 'thinking_end':
            signature = event.signature;
            turn.emit({ thinking_end: true, ...mark });
            break;
          case 'tool_call':
            calls.push({ id: event.id, name: event.name, args: event.args, ...(event.args_error !== undefined && { args_error: event.args_error }) });
            break;
          case 'usage':
            turnUsage.input_tokens += event.input_tokens;
            turnUsage.output_tokens += event.output_tokens;
            break;
          case 'done':
            cut = event.stop_reason === 'max_tokens';
            break;
        }
      }
    } catch (err) {
      // A stream that failed midway (overloaded_error) still spent the tokens it reported.
      if (turnUsage.input_tokens + turnUsage.output_tokens > 0) recordUsage(this.db, { provider_id: turn.provider.id, model: turn.model, ...turnUsage });
      throw err;
    }
    usage.input_tokens += turnUsage.input_tokens;
    usage.output_tokens += turnUsage.output_tokens;
    const toolCalls: ToolCall[] = calls.map((c) => ({ tool_call_id: c.id, name: c.name, args: c.args }));
    // The usage and the reply in one commit (a hundred streams ending together pay half as many).
    this.db.transaction(() => {
      recordUsage(this.db, { provider_id: turn.provider.id, model: turn.model, ...turnUsage });
      this.store.appendMessage(turn.conversationId, {
        role: 'assistant',
        content: text,
        thinking: thinking || null,
        tool_calls: toolCalls.length > 0 ? toolCalls : null,
        reflection,
        ...turnUsage,
      });
    })();
    messages.push({
      role: 'assistant',
      content: text,
      ...(calls.length > 0 && { tool_calls: calls.map(({ id, name, args }) => ({ id, name, args })) }),
      ...(signature !== undefined && { thinking: { text: thinking, signature } }),
    });
    return { text, calls, cut };
  }

  /** Runs the calls of one model turn in order; each result is relayed, stored and fed back. */
  async #runTools(turn: ChatTurn, messages: ModelMessage[], step: { calls: { id: string; name: string; args: Record<string, unknown>; args_error?: string }[] }): Promise<void> {
    for (const call of step.calls) {
      turn.emit({ tool_call: { tool_call_id: call.id, name: call.name, args: call.args } });
      const outcome: ToolOutcome =
        call.args_error !== undefined
          ? { content: `The arguments were not a JSON object: ${call.args_error}`, is_error: true }
          : await this.tools.call(call.name, call.args, turn.signal, { conversationId: turn.conversationId, toolCallId: call.id, emit: turn.emit });
      turn.emit({ tool_result: { tool_call_id: call.id, ...outcome } });
      this.store.appendMessage(turn.conversationId, {
        role: 'tool',
        content: outcome.content,
        tool_call_id: call.id,
        is_error: outcome.is_error,
        sudo_blocked: outcome.sudo_blocked ?? false,
        permission_denied: outcome.permission_denied ?? false,
      });
      messages.push({ role: 'tool', tool_call_id: call.id, name: call.name, content: outcome.content, is_error: outcome.is_error });
    }
  }

  /**
   * The conversation so far in the model's format; images only for the new message. A tool call
   * without a stored result (a turn aborted mid-tool, or stopped at the loop's limit) is left
   * out: providers refuse a call that no result follows.
   */
  async #history(turn: ChatTurn): Promise<ModelMessage[]> {
    const stored = this.store.modelHistory(turn.conversationId, CHAT_HISTORY_MESSAGES_MAX);
    // Read before the rest, off the event loop: a message may carry several images of megabytes.
    const images = turn.userMessage.images.length > 0 ? await this.#images(turn.userMessage) : [];
    const answered = new Set(stored.flatMap((m) => (m.role === 'tool' && m.tool_call_id ? [m.tool_call_id] : [])));
    const names = new Map<string, string>();
    return stored.flatMap((m): ModelMessage[] => {
      switch (m.role) {
        case 'user':
          return [{ role: 'user', content: m.content, ...(m.id === turn.userMessage.id && images.length > 0 && { images }) }];
        case 'assistant': {
          const calls = (m.tool_calls ?? []).filter((c) => answered.has(c.tool_call_id));
          if (calls.length === 0 && m.content === '') return [];
          for (const call of calls) names.set(call.tool_call_id, call.name);
          return [
            {
              role: 'assistant',
              content: m.content,
              ...(calls.length > 0 && { tool_calls: calls.map((c) => ({ id: c.tool_call_id, name: c.name, args: (c.args ?? {}) as Record<string, unknown> })) }),
            },
          ];
        }
        case 'tool': {
          const name = names.get(m.tool_call_id ?? '');
          return name === undefined ? [] : [{ role: 'tool', tool_call_id: m.tool_call_id!, name, content: m.content, is_error: m.is_error }];
        }
        case 'system':
          return [];
      }
    });
  }

  /** The message's stored images as base64 for the provider; a file gone meanwhile is left out. */
  async #images(message: StoredMessage): Promise<ImageInput[]> {
    const read = await Promise.all(
      message.images.map(async (ref) => {
        const image = this.store.image(ref.id);
        return image ? [{ mime: image.mime, data: (await readFile(image.path)).toString('base64') }] : [];
      }),
    );
    return read.flat();
  }
}
