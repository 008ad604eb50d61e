import type Database from 'better-sqlite3';
import { CONVERSATION_SEARCH_LIMIT_DEFAULT } from '../limits.js';
import type { PermissionMode } from '../wire/permissions.js';
import type {
  ChatClearResponse,
  ChatHistory,
  ChatMessage,
  Conversation,
  ConversationExport,
  ConversationListItem,
  SearchHit,
  TokenUsage,
} from '../wire/chat.js';
import { Attachments, type StoredImage } from './attachments.js';
import { Conversations, type ConversationPatch } from './conversations.js';
import { checkImages, ImageFiles } from './images.js';
import { MessageIndex } from './message-index.js';
import { Messages, type HistoryMessage, type NewMessage } from './messages.js';
import { PermissionModes } from './permission-modes.js';
import { ConversationSearch } from './search.js';
import { ChatState, Statements } from './statements.js';

/** chat_state key: the conversation /api/chat continues when given no conversation_id. */
const CURRENT_KEY = 'current_conversation_id';

/**
 * The chat's storage as one object: conversations (conversations.ts), their messages
 * (messages.ts) and images (attachments.ts rows, images.ts files under `imagesDir`), the
 * full-text index and search, each conversation's permission mode, and the "current
 * conversation". What spans several of them (a message with its files, a delete, the history)
 * is done here. No HTTP here; failures throw AppError for the routes to format.
 */
export class ChatStore {
  readonly #db: Database.Database;
  readonly #state: ChatState;
  readonly #conversations: Conversations;
  readonly #messages: Messages;
  readonly #attachments: Attachments;
  readonly #files: ImageFiles;
  readonly #index: MessageIndex;
  readonly #search: ConversationSearch;
  readonly #modes: PermissionModes;

  constructor(db: Database.Database, imagesDir: string) {
    const q = new Statements(db);
    this.#db = db;
    this.#state = new ChatState(q);
    this.#conversations = new Conversations(q);
    this.#attachments = new Attachments(q);
    this.#messages = new Messages(q, this.#attachments);
    this.#files = new ImageFiles(imagesDir);
    this.#index = new MessageIndex(q, this.#state);
    this.#search = new ConversationSearch(db);
    this.#modes = new PermissionModes(q);
    this.#files.removeOrphans((id) => this.#attachments.known(id));
    // Messages a previous run stored but did not index yet.
    this.#index.schedule();
  }

  /** Indexes the messages stored since the last pass (message-index.ts); searches do it first. */
  indexPending(): void {
    this.#index.indexPending();
  }

  /** Creates an empty conversation (it becomes current only through `setCurrent` or `openForChat`). */
  createConversation(init: { title?: string; provider_id?: string; model?: string } = {}): Conversation {
    return this.#conversations.create(init);
  }

  /** The conversation, or null when unknown. */
  conversation(id: string): Conversation | null {
    return this.#conversations.get(id);
  }

  /** The conversation, or 404 NOT_FOUND. */
  requireConversation(id: string): Conversation {
    return this.#conversations.require(id);
  }

  /** The conversation with its messages (oldest first) and tokens used, or null when unknown. */
  getConversation(id: string): { conversation: Conversation; messages: ChatMessage[]; tokens: TokenUsage } | null {
    const conversation = this.conversation(id);
    if (!conversation) return null;
    return { conversation, messages: this.messages(id), tokens: this.tokens(id) };
  }

  /** Messages of a conversation, oldest first, each with its images. */
  messages(conversationId: string): ChatMessage[] {
    return this.#messages.of(conversationId);
  }

  /** The last `limit` messages, with only what the model's history needs (messages.ts). */
  modelHistory(conversationId: string, limit: number): HistoryMessage[] {
    return this.#messages.modelHistory(conversationId, limit);
  }

  /** Tokens used by a conversation, summed over its messages. */
  tokens(conversationId: string): TokenUsage {
    return this.#messages.tokens(conversationId);
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
      ids = this.#db.transaction(() => {
        const now = new Date().toISOString();
        const inserted = this.#messages.insert(conversationId, messages, checked, now);
        this.#conversations.touch(conversationId, now);
        return inserted;
      })();
    } catch (err) {
      this.#files.remove(allImages.map((i) => i.id));
      throw err;
    }
    this.#index.schedule();
    return this.#messages.byIds(ids);
  }

  /** Changes title, summary, provider or model; 404 when unknown. */
  updateConversation(id: string, patch: ConversationPatch): Conversation {
    return this.#conversations.update(id, patch);
  }

  /** Stores the summary the LLM wrote (POST /api/chat/summarize); it is searchable like the title. */
  setSummary(id: string, summary: string): Conversation {
    return this.updateConversation(id, { summary });
  }

  /** Conversations, most recently updated first, with message count and a preview of the last message. */
  listConversations(page: { limit?: number; offset?: number } = {}): ConversationListItem[] {
    return this.#conversations.list(page, this.#currentId());
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
      imageIds = this.#attachments.idsOf(id);
      const gone = this.#conversations.delete(id);
      if (this.#currentId() === id) this.setCurrent(null);
      return gone;
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
      this.#state.delete(CURRENT_KEY);
      return;
    }
    this.requireConversation(id);
    this.#state.set(CURRENT_KEY, id);
  }

  #currentId(): string | null {
    return this.#state.get(CURRENT_KEY);
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
    return this.#modes.get(id);
  }

  setPermissionMode(id: string, mode: PermissionMode): void {
    this.#modes.set(id, mode);
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
    const row = this.#attachments.find(id);
    return row ? { id: row.id, mime: row.mime, bytes: row.bytes, path } : null;
  }
}
