import { randomUUID } from 'node:crypto';
import { AppError } from '../http/errors.js';
import { CONVERSATION_LIST_LIMIT_DEFAULT, CONVERSATION_PREVIEW_CHARS, CONVERSATION_TITLE_MAX_CHARS } from '../limits.js';
import type { Conversation, ConversationListItem } from '../wire/chat.js';
import type { Statements } from './statements.js';

/** Fields of a conversation that may change after creation. */
export type ConversationPatch = Partial<Pick<Conversation, 'title' | 'summary' | 'provider_id' | 'model'>>;

/** A title from the first message: one line, cut to CONVERSATION_TITLE_MAX_CHARS. */
export function titleFrom(message: string): string {
  return oneLine(message, CONVERSATION_TITLE_MAX_CHARS);
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

/** The `conversations` table: create, read, change, list and delete conversations (their messages go with them). */
export class Conversations {
  constructor(private readonly q: Statements) {}

  /** Creates an empty conversation. */
  create(init: { title?: string; provider_id?: string; model?: string } = {}): Conversation {
    const now = new Date().toISOString();
    const conversation: Conversation = {
      id: randomUUID(),
      title: titleFrom(init.title ?? ''),
      provider_id: init.provider_id ?? '',
      model: init.model ?? '',
      summary: null,
      created_at: now,
      updated_at: now,
    };
    this.q
      .sql('INSERT INTO conversations (id, title, provider_id, model, summary, created_at, updated_at) VALUES (@id, @title, @provider_id, @model, @summary, @created_at, @updated_at)')
      .run(conversation);
    return conversation;
  }

  /** The conversation, or null when unknown. */
  get(id: string): Conversation | null {
    return (this.q.sql('SELECT id, title, provider_id, model, summary, created_at, updated_at FROM conversations WHERE id = ?').get(id) as Conversation | undefined) ?? null;
  }

  /** The conversation, or 404 NOT_FOUND. */
  require(id: string): Conversation {
    const found = this.get(id);
    if (!found) throw new AppError(404, 'NOT_FOUND', `No conversation ${JSON.stringify(id)}`);
    return found;
  }

  /** Changes title, summary, provider or model; 404 when unknown. */
  update(id: string, patch: ConversationPatch): Conversation {
    const current = this.require(id);
    const next = { ...current, ...patch, title: patch.title === undefined ? current.title : titleFrom(patch.title) };
    this.q.sql('UPDATE conversations SET title = @title, summary = @summary, provider_id = @provider_id, model = @model WHERE id = @id').run(next);
    return next;
  }

  /** Marks the conversation as just updated (a message was added). */
  touch(id: string, at: string): void {
    this.q.sql('UPDATE conversations SET updated_at = ? WHERE id = ?').run(at, id);
  }

  /** Most recently updated first, with message count and a preview of the last message; `currentId` is flagged `current`. */
  list(page: { limit?: number; offset?: number }, currentId: string | null): ConversationListItem[] {
    const rows = this.q
      .sql(
        `SELECT c.id, c.title, c.provider_id, c.model, c.summary, c.created_at, c.updated_at,
           (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count,
           coalesce((SELECT substr(m.content, 1, @chars) FROM messages m
                     WHERE m.conversation_id = c.id AND m.role IN ('user', 'assistant') ORDER BY m.id DESC LIMIT 1), '') AS last_snippet
         FROM conversations c ORDER BY c.updated_at DESC, c.rowid DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ chars: CONVERSATION_PREVIEW_CHARS * 2, limit: page.limit ?? CONVERSATION_LIST_LIMIT_DEFAULT, offset: page.offset ?? 0 }) as Omit<ConversationListItem, 'current'>[];
    return rows.map((row) => ({ ...row, last_snippet: oneLine(row.last_snippet, CONVERSATION_PREVIEW_CHARS), current: row.id === currentId }));
  }

  /** Deletes the row (messages and image rows cascade); false when unknown. */
  delete(id: string): boolean {
    return this.q.sql('DELETE FROM conversations WHERE id = ?').run(id).changes > 0;
  }
}
