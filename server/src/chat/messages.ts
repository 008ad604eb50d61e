import type { ChatMessage, ChatRole, ImageInput, ImageRef, TokenUsage, ToolCall } from '../wire/chat.js';
import { imageRef, type Attachments, type ImageRow } from './attachments.js';
import type { CheckedImage } from './images.js';
import type { Statements } from './statements.js';

/** A message to store; everything but role and content is optional. */
export interface NewMessage {
  role: ChatRole;
  content: string;
  thinking?: string | null;
  tool_calls?: ToolCall[] | null;
  tool_call_id?: string | null;
  is_error?: boolean;
  sudo_blocked?: boolean;
  permission_denied?: boolean;
  /** Written by the second pass of advanced reflection. */
  reflection?: boolean;
  input_tokens?: number | null;
  output_tokens?: number | null;
  /** Images sent with the message, as the client sent them: all are checked before any is written. */
  images?: readonly ImageInput[];
  /** The same images once `checkImages` passed them (a route checks them early): stored as they are, not decoded again. */
  checkedImages?: readonly CheckedImage[];
}

type HistoryField = 'id' | 'role' | 'content' | 'tool_calls' | 'tool_call_id' | 'is_error';
/** What the model's history needs of a stored message. */
export type HistoryMessage = Pick<ChatMessage, HistoryField>;

interface MessageRow {
  id: number;
  conversation_id: string;
  role: ChatRole;
  content: string;
  thinking: string | null;
  tool_calls: string | null;
  tool_call_id: string | null;
  is_error: number;
  sudo_blocked: number;
  permission_denied: number;
  reflection: number;
  created_at: string;
  input_tokens: number | null;
  output_tokens: number | null;
}

function parseToolCalls(json: string | null): ToolCall[] | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? (value as ToolCall[]) : null;
  } catch {
    return null;
  }
}

/** Message rows plus their image rows → wire messages. */
function hydrate(rows: readonly MessageRow[], images: readonly ImageRow[]): ChatMessage[] {
  const byMessage = new Map<number, ImageRef[]>();
  for (const image of images) if (image.message_id !== null) byMessage.set(image.message_id, [...(byMessage.get(image.message_id) ?? []), imageRef(image)]);
  return rows.map((row) => ({
    ...row,
    tool_calls: parseToolCalls(row.tool_calls),
    is_error: row.is_error === 1,
    sudo_blocked: row.sudo_blocked === 1,
    permission_denied: row.permission_denied === 1,
    reflection: row.reflection === 1,
    images: byMessage.get(row.id) ?? [],
  }));
}

/** The `messages` table: what was said in each conversation, with the images attached to it. */
export class Messages {
  constructor(
    private readonly q: Statements,
    private readonly attachments: Attachments,
  ) {}

  /** Messages of a conversation, oldest first, each with its images. */
  of(conversationId: string): ChatMessage[] {
    const rows = this.q.sql('SELECT * FROM messages WHERE conversation_id = ? ORDER BY id').all(conversationId) as MessageRow[];
    return hydrate(rows, this.attachments.ofConversation(conversationId));
  }

  /** These messages (by id), oldest first, each with its images. */
  byIds(ids: readonly number[]): ChatMessage[] {
    const json = JSON.stringify(ids);
    const rows = this.q.sql('SELECT * FROM messages WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id').all(json) as MessageRow[];
    return hydrate(rows, this.attachments.ofMessages(json));
  }

  /**
   * The last `limit` messages of a conversation, oldest first, with only what the model's history
   * needs (no images: the engine takes the new message's from it). Reading every column of each
   * row cost 5× as much, a millisecond per chat request for a long conversation.
   */
  modelHistory(conversationId: string, limit: number): HistoryMessage[] {
    const rows = this.q.sql('SELECT id, role, content, tool_calls, tool_call_id, is_error FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?').all(
      conversationId,
      limit,
    ) as Pick<MessageRow, HistoryField>[];
    return rows.reverse().map((row) => ({ ...row, tool_calls: parseToolCalls(row.tool_calls), is_error: row.is_error === 1 }));
  }

  /** Tokens used by a conversation, summed over its messages. */
  tokens(conversationId: string): TokenUsage {
    const row = this.q.sql('SELECT coalesce(sum(input_tokens), 0) AS i, coalesce(sum(output_tokens), 0) AS o FROM messages WHERE conversation_id = ?').get(conversationId) as {
      i: number;
      o: number;
    };
    return { input_tokens: row.i, output_tokens: row.o, total_tokens: row.i + row.o };
  }

  /** Inserts the rows and their images' rows (call inside a transaction); returns the new message ids in order. */
  insert(conversationId: string, messages: readonly NewMessage[], images: readonly (readonly CheckedImage[])[], at: string): number[] {
    const insertMessage = this.q.sql(`INSERT INTO messages
      (conversation_id, role, content, thinking, tool_calls, tool_call_id, is_error, sudo_blocked, permission_denied, reflection, created_at, input_tokens, output_tokens)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    return messages.map((m, i) => {
      const { lastInsertRowid } = insertMessage.run(
        conversationId,
        m.role,
        m.content,
        m.thinking ?? null,
        m.tool_calls ? JSON.stringify(m.tool_calls) : null,
        m.tool_call_id ?? null,
        m.is_error ? 1 : 0,
        m.sudo_blocked ? 1 : 0,
        m.permission_denied ? 1 : 0,
        m.reflection ? 1 : 0,
        at,
        m.input_tokens ?? null,
        m.output_tokens ?? null,
      );
      this.attachments.insert(conversationId, lastInsertRowid, images[i] ?? [], at);
      return Number(lastInsertRowid);
    });
  }
}
