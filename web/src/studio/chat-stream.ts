/**
 * One message sent to POST /api/chat with `stream: true`, or a re-subscription to a turn under
 * way (GET /api/chat/events), its SSE events folded into an assistant turn as they arrive. No
 * view code here: the Studio page holds the turn as state, and whatever this module writes into
 * it shows.
 */
import type { ChatErrorCode, ChatRequestBody, ChatStreamEvent, ChatUsage } from '$wire/chat-events';
import { ApiError, describeError } from '../lib/api';
import { t } from '../lib/i18n.svelte';
import { getStream, postStream } from '../lib/sse';
import type { ApprovalOutcome } from '../permissions/policy';
import { toolBlock, type AssistantEntry, type ToolBlock, type TurnBlock } from './transcript';

/** What a stream reports besides the turn's content. */
export interface StreamSink {
  /** The first event: the conversation the message went to. */
  conversation(id: string): void;
  /** Tokens one model call (or the whole message) used. */
  usage(usage: ChatUsage): void;
}

/** How a streamed message ended. */
export type StreamEnd =
  | { kind: 'done' }
  | { kind: 'stopped' }
  /** Refused before any event (a 4xx: unknown model, a bad image, …): nothing was stored. */
  | { kind: 'refused'; error: ApiError }
  /** Broke off after it started: the network, or a stream that ended without `done`. */
  | { kind: 'failed'; message: string };

/** The code of the error event a stopped turn ends with (Stop, or no one watched it): the turn shows as stopped, not failed. */
const TURN_STOPPED: ChatErrorCode = 'TURN_STOPPED';

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

/** The card of a tool call in the turn, if it has one. */
function toolCard(turn: AssistantEntry, toolCallId: string): ToolBlock | undefined {
  return turn.blocks.find((b): b is ToolBlock => b.kind === 'tool' && b.call.tool_call_id === toolCallId);
}

/** Takes an approval off its card (answered, expired or withdrawn) and notes how it ended. */
export function resolveApproval(turn: AssistantEntry, id: string, outcome: ApprovalOutcome): void {
  for (const block of turn.blocks) {
    if (block.kind === 'tool' && block.approval?.id === id) {
      block.approval = null;
      block.resolution = outcome;
    }
  }
}

/** Takes every approval off the turn's cards: the turn was stopped, so the server withdrew them. */
export function withdrawApprovals(turn: AssistantEntry): void {
  for (const block of turn.blocks) if (block.kind === 'tool' && block.approval) resolveApproval(turn, block.approval.id, 'withdrawn');
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
    turn.blocks.push(toolBlock(event.tool_call));
  } else if ('tool_result' in event) {
    const { tool_call_id, ...outcome } = event.tool_result;
    const card = toolCard(turn, tool_call_id);
    if (card) card.result = outcome;
  } else if ('approval_request' in event) {
    const request = event.approval_request;
    // The card goes on the call it is about; a request for a call not shown brings its own card.
    if (!toolCard(turn, request.tool_call_id)) turn.blocks.push(toolBlock({ tool_call_id: request.tool_call_id, name: request.tool, args: request.args }));
    const card = toolCard(turn, request.tool_call_id)!;
    card.approval = request;
    card.resolution = null;
  } else if ('approval_resolved' in event) {
    resolveApproval(turn, event.approval_resolved.id, event.approval_resolved.decision);
  } else if ('conversation_id' in event) {
    sink.conversation(event.conversation_id);
  } else if ('usage' in event) {
    sink.usage(event.usage);
  } else if ('error' in event && event.code === TURN_STOPPED) {
    closeThinking(turn.revised ?? turn.blocks);
    turn.status = 'stopped';
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
 * aborts `signal` (the request is aborted; Stop also asks the server to stop the turn, which
 * runs on without a reader for a grace period), or it breaks. Never rejects: the outcome says
 * how it ended.
 */
export function streamChat(body: Omit<ChatRequestBody, 'stream'>, turn: AssistantEntry, sink: StreamSink, signal: AbortSignal): Promise<StreamEnd> {
  return follow((options) => postStream('/api/chat', { body: { ...body, stream: true }, ...options }), turn, sink, signal);
}

/**
 * Re-subscribes to the turn running in a conversation (after a reload, or coming back to it)
 * and folds it into `turn`. The server replays the turn from its first event, so what `turn`
 * held (rebuilt from stored messages) is dropped when the replay begins; `replayed` is false
 * when no turn ran any more (only the conversation and `done` came).
 */
export async function watchChat(conversationId: string, turn: AssistantEntry, sink: StreamSink, signal: AbortSignal): Promise<StreamEnd & { replayed: boolean }> {
  let replayed = false;
  const end = await follow(
    (options) => getStream('/api/chat/events', { query: { conversation_id: conversationId }, ...options }),
    turn,
    sink,
    signal,
    (event) => {
      if (replayed || 'conversation_id' in event || 'done' in event) return;
      replayed = true;
      turn.blocks = [];
      turn.revised = null;
    },
  );
  return { ...end, replayed };
}

/** Reads one stream of chat events into `turn`; `before` sees each event before it is applied. */
async function follow(
  start: (options: { signal: AbortSignal; onEvent: (event: ChatStreamEvent) => void }) => Promise<void>,
  turn: AssistantEntry,
  sink: StreamSink,
  signal: AbortSignal,
  before?: (event: ChatStreamEvent) => void,
): Promise<StreamEnd> {
  let events = 0;
  let done = false;
  try {
    await start({
      signal,
      onEvent: (event) => {
        events++;
        if ('done' in event) done = true;
        before?.(event);
        applyChatEvent(turn, event, sink);
      },
    });
  } catch (err) {
    closeThinking(turn.revised ?? turn.blocks);
    if (signal.aborted) {
      withdrawApprovals(turn);
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
