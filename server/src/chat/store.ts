import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { AppError } from '../http/errors.js';
import type { PermissionMode } from '../wire/permissions.js';
import {
  CONVERSATION_LIST_LIMIT_DEFAULT,
  CONVERSATION_PREVIEW_CHARS,
  CONVERSATION_SEARCH_LIMIT_DEFAULT,
  CONVERSATION_TITLE_MAX_CHARS,
  MESSAGE_INDEX_DELAY_MS,
} from '../limits.js';
import type {
  ChatClearResponse,
  ChatHistory,
  ChatMessage,
  ChatRole,
  Conversation,
  ConversationExport,
  ConversationListItem,
  ImageInput,
  ImageRef,
  SearchHit,
  TokenUsage,
  ToolCall,
} from '../wire/chat.js';
import { checkImages, ImageFiles, type CheckedImage } from './images.js';
import { INDEXED_MESSAGE_ROLES } from './migrations.js';
import { ConversationSearch } from './search.js';

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

/** Fields of a conversation that may change after creation. */
export type ConversationPatch = Partial<Pick<Conversation, 'title' | 'summary' | 'provider_id' | 'model'>>;

/** A stored image file ready to be read or served. */
export interface StoredImage {
  id: string;
  mime: string;
  bytes: number;
  path: string;
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

interface ImageRow {
  id: string;
  message_id: number | null;
  mime: string;
  bytes: number;
}

const CURRENT_KEY = 'current_conversation_id';
/** chat_state key: the highest message id already in the full-text index. */
const INDEX_KEY = 'fts_indexed_upto';

/** A title from the first message: one line, cut to CONVERSATION_TITLE_MAX_CHARS. */
export function titleFrom(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length <= CONVERSATION_TITLE_MAX_CHARS ? line : `${line.slice(0, CONVERSATION_TITLE_MAX_CHARS - 1).trimEnd()}…`;
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

function imageRef(row: ImageRow): ImageRef {
  return { id: row.id, mime: row.mime, bytes: row.bytes, url: `/api/images/${row.id}` };
}

/**
 * Conversations, messages and their images in SQLite (tables of `chatMigrations`), image files
 * under `imagesDir`, full-text search, and the "current conversation" that /api/chat continues
 * when given no conversation_id. No HTTP here; failures throw AppError for the routes to format.
 */
export class ChatStore {
  readonly #db: Database.Database;
  /** Prepared statements by SQL text: preparing costs more than most of these queries. */
  readonly #statements = new Map<string, Database.Statement>();
  readonly #files: ImageFiles;
  readonly #search: ConversationSearch;
  #indexTimer: NodeJS.Timeout | undefined;

  constructor(db: Database.Database, imagesDir: string) {
    this.#db = db;
    this.#files = new ImageFiles(imagesDir);
    this.#search = new ConversationSearch(db);
    const known = db.prepare('SELECT 1 FROM images WHERE id = ?').pluck();
    this.#files.removeOrphans((id) => known.get(id) !== undefined);
    // Messages a previous run stored but did not index yet.
    this.#scheduleIndex();
  }

  /**
   * Adds the messages stored since the last pass to the full-text index, in one transaction.
   * Appends leave indexing to this (see migration 032); it runs shortly after them, and
   * before every search so results are never stale.
   */
  indexPending(): void {
    clearTimeout(this.#indexTimer);
    this.#indexTimer = undefined;
    this.#db.transaction(() => {
      const upto = Number(this.#sql('SELECT value FROM chat_state WHERE key = ?').pluck().get(INDEX_KEY) ?? 0);
      const last = this.#sql('SELECT coalesce(max(id), 0) FROM messages').pluck().get() as number;
      if (last <= upto) return;
      this.#sql(`INSERT INTO messages_fts (rowid, content) SELECT id, content FROM messages WHERE id > ? AND id <= ? AND role IN ${INDEXED_MESSAGE_ROLES} ORDER BY id`).run(upto, last);
      this.#sql('INSERT INTO chat_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(INDEX_KEY, String(last));
    })();
  }

  #scheduleIndex(): void {
    this.#indexTimer ??= setTimeout(() => {
      this.#indexTimer = undefined;
      try {
        this.indexPending();
      } catch {
        // The database closed under the timer (shutdown): the next start indexes these rows.
      }
    }, MESSAGE_INDEX_DELAY_MS).unref();
  }
  #sql(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }


  /** Creates an empty conversation (it becomes current only through `setCurrent` or `openForChat`). */
  createConversation(init: { title?: string; provider_id?: string; model?: string } = {}): Conversation {
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
    this.#sql('INSERT INTO conversations (id, title, provider_id, model, summary, created_at, updated_at) VALUES (@id, @title, @provider_id, @model, @summary, @created_at, @updated_at)')
      .run(conversation);
    return conversation;
  }

  /** The conversation, or null when unknown. */
  conversation(id: string): Conversation | null {
    return (this.#sql('SELECT id, title, provider_id, model, summary, created_at, updated_at FROM conversations WHERE id = ?').get(id) as Conversation | undefined) ?? null;
  }

  /** The conversation, or 404 NOT_FOUND. */
  requireConversation(id: string): Conversation {
    const found = this.conversation(id);
    if (!found) throw new AppError(404, 'NOT_FOUND', `No conversation ${JSON.stringify(id)}`);
    return found;
  }

  /** The conversation with its messages (oldest first) and tokens used, or null when unknown. */
  getConversation(id: string): { conversation: Conversation; messages: ChatMessage[]; tokens: TokenUsage } | null {
    const conversation = this.conversation(id);
    if (!conversation) return null;
    return { conversation, messages: this.messages(id), tokens: this.tokens(id) };
  }

  /** Messages of a conversation, oldest first, each with its images. */
  messages(conversationId: string): ChatMessage[] {
    const rows = this.#sql('SELECT * FROM messages WHERE conversation_id = ? ORDER BY id').all(conversationId) as MessageRow[];
    const images = this.#sql('SELECT id, message_id, mime, bytes FROM images WHERE conversation_id = ? ORDER BY rowid').all(conversationId) as ImageRow[];
    return hydrate(rows, images);
  }

  /**
   * The last `limit` messages of a conversation, oldest first, with only what the model's history
   * needs (no images: the engine takes the new message's from it). Reading every column of each
   * row cost 5× as much, a millisecond per chat request for a long conversation.
   */
  modelHistory(conversationId: string, limit: number): HistoryMessage[] {
    const rows = this.#sql('SELECT id, role, content, tool_calls, tool_call_id, is_error FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?').all(
      conversationId,
      limit,
    ) as Pick<MessageRow, HistoryField>[];
    return rows.reverse().map((row) => ({ ...row, tool_calls: parseToolCalls(row.tool_calls), is_error: row.is_error === 1 }));
  }

  /** Tokens used by a conversation, summed over its messages. */
  tokens(conversationId: string): TokenUsage {
    const row = this.#sql('SELECT coalesce(sum(input_tokens), 0) AS i, coalesce(sum(output_tokens), 0) AS o FROM messages WHERE conversation_id = ?')
      .get(conversationId) as { i: number; o: number };
    return { input_tokens: row.i, output_tokens: row.o, total_tokens: row.i + row.o };
  }

  /** Appends one message; see `appendMessages`. */
  appendMessage(conversationId: string, message: NewMessage): ChatMessage {
    return this.appendMessages(conversationId, [message])[0]!;
  }

  /**
   * Appends messages in one transaction and touches the conversation's updated_at. Images are
   * checked first (400/413 before anything is written), their files written next, and removed
   * again if the rows cannot be stored. 404 when the conversation is unknown.
   */
  appendMessages(conversationId: string, messages: readonly NewMessage[]): ChatMessage[] {
    this.requireConversation(conversationId);
    const checked = messages.map((m) => m.checkedImages ?? checkImages(m.images ?? []));
    const allImages = checked.flat();
    this.#files.write(allImages);
    let ids: number[];
    try {
      ids = this.#db.transaction(() => this.#insert(conversationId, messages, checked))();
    } catch (err) {
      this.#files.remove(allImages.map((i) => i.id));
      throw err;
    }
    this.#scheduleIndex();
    const json = JSON.stringify(ids);
    const rows = this.#sql('SELECT * FROM messages WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id').all(json) as MessageRow[];
    const images = this.#sql('SELECT id, message_id, mime, bytes FROM images WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY rowid').all(json) as ImageRow[];
    return hydrate(rows, images);
  }

  /** Inserts the rows; returns the new message ids in order. */
  #insert(conversationId: string, messages: readonly NewMessage[], images: readonly (readonly CheckedImage[])[]): number[] {
    const now = new Date().toISOString();
    const insertMessage = this.#sql(`INSERT INTO messages
      (conversation_id, role, content, thinking, tool_calls, tool_call_id, is_error, sudo_blocked, permission_denied, reflection, created_at, input_tokens, output_tokens)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertImage = this.#sql('INSERT INTO images (id, conversation_id, message_id, mime, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const ids = messages.map((m, i) => {
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
        now,
        m.input_tokens ?? null,
        m.output_tokens ?? null,
      );
      for (const image of images[i] ?? []) insertImage.run(image.id, conversationId, lastInsertRowid, image.mime, image.data.length, image.sha256, now);
      return Number(lastInsertRowid);
    });
    this.#sql('UPDATE conversations SET updated_at = ? WHERE id = ?').run(now, conversationId);
    return ids;
  }

  /** Changes title, summary, provider or model; 404 when unknown. */
  updateConversation(id: string, patch: ConversationPatch): Conversation {
    const current = this.requireConversation(id);
    const next = { ...current, ...patch, title: patch.title === undefined ? current.title : titleFrom(patch.title) };
    this.#sql('UPDATE conversations SET title = @title, summary = @summary, provider_id = @provider_id, model = @model WHERE id = @id').run(next);
    return next;
  }

  /** Stores the summary the LLM wrote (POST /api/chat/summarize); it is searchable like the title. */
  setSummary(id: string, summary: string): Conversation {
    return this.updateConversation(id, { summary });
  }

  /** Conversations, most recently updated first, with message count and a preview of the last message. */
  listConversations(page: { limit?: number; offset?: number } = {}): ConversationListItem[] {
    const current = this.#currentId();
    const rows = this.#sql(
        `SELECT c.id, c.title, c.provider_id, c.model, c.summary, c.created_at, c.updated_at,
           (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count,
           coalesce((SELECT substr(m.content, 1, @chars) FROM messages m
                     WHERE m.conversation_id = c.id AND m.role IN ('user', 'assistant') ORDER BY m.id DESC LIMIT 1), '') AS last_snippet
         FROM conversations c ORDER BY c.updated_at DESC, c.rowid DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ chars: CONVERSATION_PREVIEW_CHARS * 2, limit: page.limit ?? CONVERSATION_LIST_LIMIT_DEFAULT, offset: page.offset ?? 0 }) as Omit<ConversationListItem, 'current'>[];
    return rows.map((row) => ({ ...row, last_snippet: preview(row.last_snippet), current: row.id === current }));
  }

  /**
   * Full-text search over user and assistant messages and over titles and summaries, best
   * first (bm25), each hit with a highlighted snippet. `text` is plain words, never FTS syntax.
   */
  search(text: string, limit = CONVERSATION_SEARCH_LIMIT_DEFAULT): SearchHit[] {
    this.indexPending();
    return this.#search.search(text, limit);
  }

  /** Deletes a conversation with its messages, images and image files. False when unknown. */
  deleteConversation(id: string): boolean {
    let imageIds: string[] = [];
    const deleted = this.#db.transaction(() => {
      imageIds = this.#sql('SELECT id FROM images WHERE conversation_id = ?').pluck().all(id) as string[];
      const { changes } = this.#sql('DELETE FROM conversations WHERE id = ?').run(id);
      if (this.#currentId() === id) this.setCurrent(null);
      return changes > 0;
    })();
    // After the commit: a crash in between leaves orphan files (swept at start), never rows without files.
    this.#files.remove(imageIds);
    return deleted;
  }

  /** The conversation /api/chat continues when given no conversation_id; null after a clear. */
  currentConversation(): Conversation | null {
    const id = this.#currentId();
    return id === null ? null : this.conversation(id);
  }

  /** Makes a conversation current (404 when unknown), or none with null. */
  setCurrent(id: string | null): void {
    if (id === null) {
      this.#sql('DELETE FROM chat_state WHERE key = ?').run(CURRENT_KEY);
      return;
    }
    this.requireConversation(id);
    this.#sql('INSERT INTO chat_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(CURRENT_KEY, id);
  }

  #currentId(): string | null {
    return (this.#sql('SELECT value FROM chat_state WHERE key = ?').pluck().get(CURRENT_KEY) as string | undefined) ?? null;
  }

  /**
   * The conversation a chat message goes to, made current: the one named (404 when unknown),
   * else the current one, else a new one titled after the message. Provider and model are
   * recorded as the conversation's latest.
   */
  openForChat(request: { conversation_id?: string; provider_id: string; model: string; message: string }): Conversation {
    return this.#db.transaction(() => {
      const named = request.conversation_id === undefined ? null : this.requireConversation(request.conversation_id);
      const existing = named ?? this.currentConversation();
      const conversation = existing
        ? this.updateConversation(existing.id, {
            provider_id: request.provider_id,
            model: request.model,
            ...(existing.title === '' && { title: request.message }),
          })
        : this.createConversation({ title: request.message, provider_id: request.provider_id, model: request.model });
      this.setCurrent(conversation.id);
      return conversation;
    })();
  }

  /** GET /api/chat/history: the current conversation, its messages, tokens and permission mode (the route adds what is live). */
  history(): Omit<ChatHistory, 'running' | 'pending_approvals'> {
    const current = this.currentConversation();
    if (!current) return { conversation: null, messages: [], tokens: { input_tokens: 0, output_tokens: 0, total_tokens: 0 }, permission_mode: null };
    return { conversation: current, messages: this.messages(current.id), tokens: this.tokens(current.id), permission_mode: this.permissionMode(current.id) };
  }

  /** The permission mode the conversation chose, or null (the Settings mode applies). */
  permissionMode(id: string): PermissionMode | null {
    return (this.#sql('SELECT mode FROM conversation_permissions WHERE conversation_id = ?').pluck().get(id) as PermissionMode | undefined) ?? null;
  }

  setPermissionMode(id: string, mode: PermissionMode): void {
    this.#sql('INSERT INTO conversation_permissions (conversation_id, mode) VALUES (?, ?) ON CONFLICT (conversation_id) DO UPDATE SET mode = excluded.mode').run(id, mode);
  }

  /** POST /api/chat/clear: no conversation is current any more; the old one stays in the list. */
  clear(): ChatClearResponse {
    const previous = this.#currentId();
    this.setCurrent(null);
    return { previous_conversation_id: previous };
  }

  /** A whole conversation as one JSON document; 404 when unknown. */
  export(id: string): ConversationExport {
    const conversation = this.requireConversation(id);
    const messages = this.messages(id);
    return {
      format: 'atelier.conversation',
      version: 1,
      exported_at: new Date().toISOString(),
      conversation,
      messages,
      images: messages.flatMap((m) => m.images),
    };
  }

  /** A stored image whose file is present and inside the images dir, or null. */
  image(id: string): StoredImage | null {
    const path = this.#files.resolve(id);
    if (!path) return null;
    const row = this.#sql('SELECT id, message_id, mime, bytes FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    return row ? { id: row.id, mime: row.mime, bytes: row.bytes, path } : null;
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

function preview(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= CONVERSATION_PREVIEW_CHARS ? line : `${line.slice(0, CONVERSATION_PREVIEW_CHARS - 1).trimEnd()}…`;
}
