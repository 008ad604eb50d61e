/**
 * What the Studio shows of a conversation: user messages, and assistant turns made of blocks
 * (text, thinking, tool cards, errors) in the order they happened. A turn is built live from
 * stream events (chat-stream.ts) or rebuilt from stored messages (entriesFromHistory).
 */
import type { ChatMessage, ToolCall } from '$wire/chat';
import type { ChatToolResult } from '$wire/chat-events';
import type { ApprovalRequest } from '$wire/permissions';
import type { ApprovalOutcome } from '../permissions/policy';

/** The outcome of a tool call, as the `tool_result` event carries it. */
export type ToolOutcome = Omit<ChatToolResult, 'tool_call_id'>;

/** A tool call's card. */
export interface ToolBlock {
  kind: 'tool';
  call: ToolCall;
  /** Null while the tool runs (or waits). */
  result: ToolOutcome | null;
  /** The approval the call waits for; null when it waits for none. */
  approval: ApprovalRequest | null;
  /** How its approval ended, shown on the card for a moment; null when there was none. */
  resolution: ApprovalOutcome | null;
}

/** A piece of an assistant turn. */
export type TurnBlock =
  | { kind: 'text'; text: string }
  /** `done` once thinking_end came; `open` is whether the reader sees it unfolded. */
  | { kind: 'thinking'; text: string; done: boolean; open: boolean }
  | ToolBlock
  | { kind: 'error'; message: string };

/** streaming: events arriving · done: ended normally · stopped: the user stopped it · failed: ended by an error. */
export type TurnStatus = 'streaming' | 'done' | 'stopped' | 'failed';

/** An image shown with a user message: stored (`/api/images/…`) or about to be sent (an object URL). */
export interface ShownImage {
  url: string;
  mime: string;
}

/** One line of the transcript. */
export type Entry =
  | { kind: 'user'; key: string; text: string; images: ShownImage[]; messageId: number | null }
  | {
      kind: 'assistant';
      key: string;
      blocks: TurnBlock[];
      /** The second pass of advanced reflection, once it started; null without one. */
      revised: TurnBlock[] | null;
      status: TurnStatus;
      /** Stored message ids this turn covers (for jumping to a search hit). */
      messageIds: number[];
    };

/** An assistant entry. */
export type AssistantEntry = Extract<Entry, { kind: 'assistant' }>;
/** A user entry. */
export type UserEntry = Extract<Entry, { kind: 'user' }>;

let nextKey = 1;

/** A key unique on this page, for keyed lists. */
export function entryKey(): string {
  return `e${nextKey++}`;
}

/** The card of a call that has no result yet. */
export function toolBlock(call: ToolCall): ToolBlock {
  return { kind: 'tool', call, result: null, approval: null, resolution: null };
}

/** An empty assistant turn, about to receive events. */
export function newAssistantEntry(): AssistantEntry {
  return { kind: 'assistant', key: entryKey(), blocks: [], revised: null, status: 'streaming', messageIds: [] };
}

/**
 * Rebuilds the transcript from stored messages: each user message, then one assistant turn
 * gathering the assistant and tool messages up to the next user message, tool results placed
 * on the card of the call they answer.
 */
export function entriesFromHistory(messages: readonly ChatMessage[]): Entry[] {
  const entries: Entry[] = [];
  let turn: AssistantEntry | null = null;
  const cards = new Map<string, ToolBlock>();
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        turn = null;
        entries.push({ kind: 'user', key: `m${message.id}`, text: message.content, images: message.images.map((i) => ({ url: i.url, mime: i.mime })), messageId: message.id });
        break;
      case 'assistant': {
        if (!turn) {
          turn = { kind: 'assistant', key: `m${message.id}`, blocks: [], revised: null, status: 'done', messageIds: [] };
          entries.push(turn);
        }
        turn.messageIds.push(message.id);
        // The second pass of advanced reflection goes where the live stream put it.
        const blocks = message.reflection ? (turn.revised ??= []) : turn.blocks;
        if (message.thinking) blocks.push({ kind: 'thinking', text: message.thinking, done: true, open: false });
        if (message.content) blocks.push({ kind: 'text', text: message.content });
        for (const call of message.tool_calls ?? []) {
          const card = toolBlock(call);
          cards.set(call.tool_call_id, card);
          turn.blocks.push(card);
        }
        break;
      }
      case 'tool': {
        const card = cards.get(message.tool_call_id ?? '');
        const outcome: ToolOutcome = { content: message.content, is_error: message.is_error, ...(message.sudo_blocked && { sudo_blocked: true }) };
        if (card) card.result = outcome;
        turn?.messageIds.push(message.id);
        break;
      }
      case 'system':
        break;
    }
  }
  return entries;
}
