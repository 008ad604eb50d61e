/**
 * One message sent to POST /api/chat with `stream: true`, its SSE events folded into an
 * assistant turn as they arrive. No view code here: the Studio page holds the turn as state,
 * and whatever this module writes into it shows.
 */
import type { ChatRequestBody, ChatStreamEvent } from '$wire/chat-events';
import { ApiError, describeError } from '../lib/api';
import { t } from '../lib/i18n.svelte';
import { postStream } from '../lib/sse';
import type { AssistantEntry, TurnBlock } from './transcript';

/** What a stream reports besides the turn's content. */
export interface StreamSink {
  /** The first event: the conversation the message went to. */
  conversation(id: string): void;
  /** Tokens one model call (or the whole message) used. */
  usage(usage: { input_tokens: number; output_tokens: number }): void;
}

/** How a streamed message ended. */
export type StreamEnd =
  | { kind: 'done' }
  | { kind: 'stopped' }
  /** Refused before any event (a 4xx: unknown model, a bad image, …): nothing was stored. */
  | { kind: 'refused'; error: ApiError }
  /** Broke off after it started: the network, or a stream that ended without `done`. */
  | { kind: 'failed'; message: string };

/** The blocks an event belongs to: the first pass, or the revised answer once reflection started. */
function blocksFor(turn: AssistantEntry, event: { reflection?: true }): TurnBlock[] {
  if (event.reflection && !turn.revised) turn.revised = [];
  return event.reflection ? turn.revised! : turn.blocks;
}

/** Folds a thinking block that is still open: the model has moved on, whether it said so or not. */
function closeThinking(blocks: TurnBlock[]): void {
  const last = blocks.at(-1);
  if (last?.kind === 'thinking' && !last.done) {
    last.done = true;
    last.open = false;
  }
}

/** Applies one event to `turn` (mutating it); conversation and usage go to `sink`. */
export function applyChatEvent(turn: AssistantEntry, event: ChatStreamEvent, sink: StreamSink): void {
  if ('content' in event) {
    const blocks = blocksFor(turn, event);
    closeThinking(blocks);
    const last = blocks.at(-1);
    if (last?.kind === 'text') last.text += event.content;
    else blocks.push({ kind: 'text', text: event.content });
  } else if ('thinking' in event) {
    const blocks = blocksFor(turn, event);
    const last = blocks.at(-1);
    if (last?.kind === 'thinking' && !last.done) last.text += event.thinking;
    else blocks.push({ kind: 'thinking', text: event.thinking, done: false, open: true });
  } else if ('thinking_end' in event) {
    closeThinking(blocksFor(turn, event));
  } else if ('reflection_start' in event) {
    closeThinking(turn.blocks);
    turn.revised ??= [];
  } else if ('tool_call' in event) {
    closeThinking(turn.blocks);
    turn.blocks.push({ kind: 'tool', call: event.tool_call, result: null });
  } else if ('tool_result' in event) {
    const { tool_call_id, ...outcome } = event.tool_result;
    const card = turn.blocks.find((b) => b.kind === 'tool' && b.call.tool_call_id === tool_call_id);
    if (card?.kind === 'tool') card.result = outcome;
  } else if ('conversation_id' in event) {
    sink.conversation(event.conversation_id);
  } else if ('usage' in event) {
    sink.usage(event.usage);
  } else if ('error' in event) {
    const blocks = turn.revised ?? turn.blocks;
    closeThinking(blocks);
    blocks.push({ kind: 'error', message: event.error });
    turn.status = 'failed';
  } else if ('done' in event) {
    closeThinking(turn.revised ?? turn.blocks);
    if (turn.status === 'streaming') turn.status = 'done';
  }
}

/**
 * Sends `body` streamed and folds the answer into `turn` until the server ends it, the user
 * aborts `signal` (the request is aborted, and with it the provider call and running tools),
 * or it breaks. Never rejects: the outcome says how it ended.
 */
export async function streamChat(body: Omit<ChatRequestBody, 'stream'>, turn: AssistantEntry, sink: StreamSink, signal: AbortSignal): Promise<StreamEnd> {
  let events = 0;
  let done = false;
  try {
    await postStream<ChatStreamEvent>('/api/chat', { ...body, stream: true }, {
      signal,
      onEvent: (event) => {
        events++;
        if ('done' in event) done = true;
        applyChatEvent(turn, event, sink);
      },
    });
  } catch (err) {
    closeThinking(turn.revised ?? turn.blocks);
    if (signal.aborted) {
      turn.status = 'stopped';
      return { kind: 'stopped' };
    }
    if (events === 0 && err instanceof ApiError && err.status > 0) return { kind: 'refused', error: err };
    const message = describeError(err);
    (turn.revised ?? turn.blocks).push({ kind: 'error', message });
    turn.status = 'failed';
    return { kind: 'failed', message };
  }
  if (!done) {
    const message = t('studio.cut_short');
    closeThinking(turn.revised ?? turn.blocks);
    (turn.revised ?? turn.blocks).push({ kind: 'error', message });
    turn.status = 'failed';
    return { kind: 'failed', message };
  }
  return { kind: 'done' };
}
