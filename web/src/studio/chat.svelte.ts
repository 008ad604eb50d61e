/**
 * The conversation the Studio shows and the message being streamed into it. One instance for
 * the whole studio: leaving the page does not stop an answer, and coming back shows it.
 */
import type { ChatHistory, ChatMessage, Conversation, ImageInput, TokenUsage } from '$wire/chat';
import type { ChatRequestBody } from '$wire/chat-events';
import { api, ApiError } from '../lib/api';
import { toImageInput, type Attachment } from './attachments';
import { streamChat, type StreamEnd } from './chat-stream';
import { entriesFromHistory, entryKey, newAssistantEntry, type AssistantEntry, type Entry } from './transcript';

const NO_TOKENS: TokenUsage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };

/** What the composer sends. */
export interface Outgoing {
  message: string;
  attachments: readonly Attachment[];
  provider: string;
  model: string;
  reflection: boolean;
}

/** GET /api/conversations/{id} */
interface ConversationDetail {
  conversation: Conversation;
  messages: ChatMessage[];
  tokens: TokenUsage;
}

class StudioChat {
  /** The conversation shown; null for a new one that has no message yet. */
  conversationId = $state<string | null>(null);
  conversation = $state.raw<Conversation | null>(null);
  entries = $state<Entry[]>([]);
  tokens = $state.raw<TokenUsage>(NO_TOKENS);
  /** A message is being answered. */
  sending = $state(false);
  /** The first load happened (a later visit to the page keeps what is shown). */
  loaded = $state(false);
  loading = $state(false);
  loadError = $state<unknown>(null);
  /** Counts finished messages: the sidebar reloads its list when it changes. */
  finished = $state(0);
  /** A stored message to scroll to once shown (a search hit). */
  focusMessage = $state<number | null>(null);

  #controller: AbortController | null = null;
  /** Object URLs of images sent from this page; revoked when the transcript is replaced. */
  #objectUrls: string[] = [];

  /** Shows the current conversation (GET /api/chat/history). */
  async loadCurrent(): Promise<void> {
    await this.#load(async () => {
      const history = await api.get<ChatHistory>('/api/chat/history');
      this.#show(history.conversation, history.messages, history.tokens);
    });
  }

  /** Shows a stored conversation; the next message continues it. */
  async open(id: string, focusMessage: number | null = null): Promise<void> {
    if (this.sending) return;
    await this.#load(async () => {
      const detail = await api.get<ConversationDetail>(`/api/conversations/${encodeURIComponent(id)}`);
      this.#show(detail.conversation, detail.messages, detail.tokens);
      this.focusMessage = focusMessage;
    });
  }

  /** Starts afresh: the server's current conversation is set aside (it stays in the list). */
  async startNew(): Promise<void> {
    if (this.sending) return;
    await api.post('/api/chat/clear');
    this.#show(null, [], NO_TOKENS);
  }

  /** After a conversation was deleted: if it is the one shown, show an empty one. */
  forget(id: string): void {
    if (this.conversationId === id && !this.sending) this.#show(null, [], NO_TOKENS);
  }

  /**
   * Sends a message and streams the answer into the transcript. A refusal before the answer
   * started (a bad image, an unknown model) removes the message again and is answered, so the
   * composer can keep the draft; any other end stays visible in the transcript.
   */
  async send(outgoing: Outgoing): Promise<StreamEnd> {
    if (this.sending) throw new Error('A message is already being answered; stop it first');
    this.sending = true;
    const controller = new AbortController();
    this.#controller = controller;
    const mark = this.entries.length;
    try {
      const images: ImageInput[] = await Promise.all(outgoing.attachments.map(toImageInput));
      this.entries.push({
        kind: 'user',
        key: entryKey(),
        text: outgoing.message,
        images: outgoing.attachments.map((a) => ({ url: a.previewUrl, mime: a.mime })),
        messageId: null,
      });
      this.entries.push(newAssistantEntry());
      // The proxy, not the plain object pushed: writes through it are what the page sees.
      const turn = this.entries.at(-1) as AssistantEntry;
      const body: Omit<ChatRequestBody, 'stream'> = {
        message: outgoing.message,
        ...(this.conversationId && { conversation_id: this.conversationId }),
        ...(outgoing.provider && { provider: outgoing.provider }),
        ...(outgoing.model && { model: outgoing.model }),
        ...(images.length > 0 && { images }),
        ...(outgoing.reflection && { advanced_reflection: true }),
      };
      const end = await streamChat(body, turn, {
        conversation: (id) => {
          this.conversationId = id;
        },
        usage: (usage) => {
          const input = this.tokens.input_tokens + usage.input_tokens;
          const output = this.tokens.output_tokens + usage.output_tokens;
          this.tokens = { input_tokens: input, output_tokens: output, total_tokens: input + output };
        },
      }, controller.signal);
      if (end.kind === 'refused') this.entries.splice(mark);
      else this.#objectUrls.push(...outgoing.attachments.map((a) => a.previewUrl));
      return end;
    } catch (err) {
      // Reading an attached file failed: nothing was sent.
      this.entries.splice(mark);
      return { kind: 'refused', error: new ApiError(0, { error: err instanceof Error ? err.message : String(err), code: 'READ_FAILED' }) };
    } finally {
      this.sending = false;
      this.#controller = null;
      this.finished++;
      void this.#syncTokens();
    }
  }

  /** Stops the answer: the request is aborted, and the server stops the model and its tools. */
  stop(): void {
    this.#controller?.abort();
  }

  /** The stored token count is the truth (the stream's usage events may be partial after a stop). */
  async #syncTokens(): Promise<void> {
    const id = this.conversationId;
    if (!id) return;
    try {
      const detail = await api.get<ConversationDetail>(`/api/conversations/${encodeURIComponent(id)}`);
      if (this.conversationId === id) {
        this.tokens = detail.tokens;
        this.conversation = detail.conversation;
      }
    } catch {
      // The live count stays; the next load corrects it.
    }
  }

  async #load(read: () => Promise<void>): Promise<void> {
    this.loading = true;
    this.loadError = null;
    try {
      await read();
      this.loaded = true;
    } catch (err) {
      this.loadError = err;
    } finally {
      this.loading = false;
    }
  }

  #show(conversation: Conversation | null, messages: ChatMessage[], tokens: TokenUsage): void {
    for (const url of this.#objectUrls.splice(0)) URL.revokeObjectURL(url);
    this.conversation = conversation;
    this.conversationId = conversation?.id ?? null;
    this.entries = entriesFromHistory(messages);
    this.tokens = tokens;
    this.focusMessage = null;
  }
}

/** The Studio's one conversation view. */
export const studioChat = new StudioChat();
