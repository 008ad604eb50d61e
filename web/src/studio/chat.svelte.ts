/**
 * The conversation the Studio shows and the message being streamed into it. One instance for
 * the whole studio: leaving the page does not stop an answer, and coming back shows it.
 */
import type { ChatHistory, ChatMessage, Conversation, ImageInput, TokenUsage } from '$wire/chat';
import type { ChatRequestBody } from '$wire/chat-events';
import type { ApprovalRequest, ApproveRequest, PermissionMode } from '$wire/permissions';
import { api, ApiError, describeError } from '../lib/api';
import { session } from '../lib/session.svelte';
import { notify } from '../lib/toasts.svelte';
import { answerApproval } from './approvals';
import { toImageInput, type Attachment } from './attachments';
import { applyChatEvent, resolveApproval, streamChat, watchChat, type StreamEnd, type StreamSink } from './chat-stream';
import { entriesFromHistory, entryKey, newAssistantEntry, type AssistantEntry, type Entry } from './transcript';

const NO_TOKENS: TokenUsage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };

/** What the live side adds to a conversation: its mode, whether a turn runs, and what waits for the user. */
type LiveState = Pick<ChatHistory, 'permission_mode' | 'running' | 'pending_approvals'>;

/** What the composer sends. */
export interface Outgoing {
  message: string;
  attachments: readonly Attachment[];
  provider: string;
  model: string;
  reflection: boolean;
}

class StudioChat {
  /** The conversation shown; null for a new one that has no message yet. */
  conversationId = $state<string | null>(null);
  conversation = $state.raw<Conversation | null>(null);
  entries = $state<Entry[]>([]);
  tokens = $state.raw<TokenUsage>(NO_TOKENS);
  /** A message sent from here is being answered. */
  sending = $state(false);
  /** Following a turn that was already running (re-subscribed after a reload). */
  watching = $state(false);
  /**
   * The conversation's permission mode: what the server stored, or what was picked in the
   * composer (sent with the next message). Null: the Settings mode applies.
   */
  permissionMode = $state<PermissionMode | null>(null);
  /** The first load happened (a later visit to the page keeps what is shown). */
  loaded = $state(false);
  loading = $state(false);
  loadError = $state<unknown>(null);
  /** Counts finished messages: the sidebar reloads its list when it changes. */
  finished = $state(0);
  /** A stored message to scroll to once shown (a search hit). */
  focusMessage = $state<number | null>(null);

  #controller: AbortController | null = null;
  /** Stop was asked before the first event named the conversation. */
  #stopRequested = false;
  /** Object URLs of images sent from this page; revoked when the transcript is replaced. */
  #objectUrls: string[] = [];

  /** A turn runs in the conversation shown: one sent from here, or one followed again. */
  get busy(): boolean {
    return this.sending || this.watching;
  }

  /** The mode the next message runs in: the conversation's, else the Settings mode. */
  get effectiveMode(): PermissionMode {
    return this.permissionMode ?? session.config?.permissions?.mode ?? 'ask';
  }

  /**
   * Shows the current conversation (GET /api/chat/history). A turn still running there (the
   * page was reloaded mid-answer) is followed again, its waiting approvals shown at once.
   */
  async loadCurrent(): Promise<void> {
    const live = await this.#load(async () => {
      const history = await api.get('/api/chat/history');
      this.#show(history.conversation, history.messages, history.tokens, history.permission_mode);
      return history;
    });
    if (live && this.conversationId) this.#resume(this.conversationId, live);
  }

  /** Shows a stored conversation; the next message continues it. A turn running there is followed. */
  async open(id: string, focusMessage: number | null = null): Promise<void> {
    if (this.sending) return;
    const live = await this.#load(async () => {
      const detail = await api.get('/api/conversations/:id', { params: { id } });
      this.#show(detail.conversation, detail.messages, detail.tokens, detail.permission_mode);
      this.focusMessage = focusMessage;
      return detail;
    });
    if (live && this.conversationId === id) this.#resume(id, live);
  }

  /** Starts afresh: the server's current conversation is set aside (it stays in the list). */
  async startNew(): Promise<void> {
    if (this.sending) return;
    await api.post('/api/chat/clear');
    this.#show(null, [], NO_TOKENS, null);
  }

  /** After a conversation was deleted: if it is the one shown, show an empty one. */
  forget(id: string): void {
    if (this.conversationId === id && !this.sending) this.#show(null, [], NO_TOKENS, null);
  }

  /** Answers an approval shown in the transcript; its card goes once the server took the answer. */
  async answer(request: ApprovalRequest, decision: ApproveRequest['decision'], note = ''): Promise<void> {
    if (!(await answerApproval(request, decision, note))) return;
    for (const entry of this.entries) if (entry.kind === 'assistant') resolveApproval(entry, request.id, decision);
  }

  /**
   * Sends a message and streams the answer into the transcript. A refusal before the answer
   * started (a bad image, an unknown model) removes the message again and is answered, so the
   * composer can keep the draft; any other end stays visible in the transcript.
   */
  async send(outgoing: Outgoing): Promise<StreamEnd> {
    if (this.sending) throw new Error('A message is already being answered; stop it first');
    this.#detach();
    this.sending = true;
    this.#stopRequested = false;
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
        ...(this.permissionMode && { permission_mode: this.permissionMode }),
      };
      const end = await streamChat(body, turn, this.#sink(true), controller.signal);
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

  /**
   * Stops the turn: the stream is let go at once (the turn shows as stopped), and the server is
   * asked to stop it (POST /api/chat/stop), which ends the model call, kills running tools and
   * withdraws waiting approvals. Without Stop a turn runs on when its reader goes away.
   */
  stop(): void {
    if (!this.busy) return;
    const id = this.conversationId;
    if (id === null) {
      // A new conversation: the first event names it, and the stop goes out then.
      this.#stopRequested = true;
      return;
    }
    void this.#stopTurn(id);
  }

  async #stopTurn(id: string): Promise<void> {
    this.#controller?.abort();
    try {
      await api.post('/api/chat/stop', { body: { conversation_id: id } });
    } catch (err) {
      notify('error', describeError(err));
    }
  }

  /** Where a stream's conversation and usage go; a re-subscription's usage is read back from the server instead (its replay repeats what is stored). */
  #sink(countUsage: boolean): StreamSink {
    return {
      conversation: (id) => {
        this.conversationId = id;
        if (this.#stopRequested) {
          this.#stopRequested = false;
          void this.#stopTurn(id);
        }
      },
      usage: (usage) => {
        if (!countUsage) return;
        const input = this.tokens.input_tokens + usage.input_tokens;
        const output = this.tokens.output_tokens + usage.output_tokens;
        this.tokens = { input_tokens: input, output_tokens: output, total_tokens: input + output };
      },
    };
  }

  /**
   * Follows the turn running in `id` (GET /api/chat/events): the transcript's last turn becomes
   * the live one, with the waiting approvals on its cards before the replay arrives. When no
   * turn ran any more, the stored messages are read again instead.
   */
  #resume(id: string, live: LiveState): void {
    if (!live.running) return;
    if (this.entries.at(-1)?.kind !== 'assistant') this.entries.push(newAssistantEntry());
    const turn = this.entries.at(-1) as AssistantEntry;
    turn.status = 'streaming';
    for (const request of live.pending_approvals) applyChatEvent(turn, { approval_request: request }, this.#sink(false));
    void this.#watch(id, turn);
  }

  async #watch(id: string, turn: AssistantEntry): Promise<void> {
    this.#detach();
    const controller = new AbortController();
    this.#controller = controller;
    this.watching = true;
    this.#stopRequested = false;
    const end = await watchChat(id, turn, this.#sink(false), controller.signal);
    // Let go by #detach (another conversation shown): nothing more to do here.
    if (this.#controller !== controller) return;
    this.#controller = null;
    this.watching = false;
    this.finished++;
    if (end.kind === 'refused') {
      turn.status = 'failed';
      turn.blocks.push({ kind: 'error', message: describeError(end.error) });
    }
    // The turn ended between the history and the re-subscription: the stored messages have it all.
    if (end.kind === 'done' && !end.replayed) await this.#reload(id);
    else void this.#syncTokens();
  }

  /** Reads the shown conversation's stored messages again (after a turn ended unseen). */
  async #reload(id: string): Promise<void> {
    try {
      const detail = await api.get('/api/conversations/:id', { params: { id } });
      if (this.conversationId === id && !this.busy) this.#show(detail.conversation, detail.messages, detail.tokens, this.permissionMode);
    } catch {
      // What is shown stays; the next load corrects it.
    }
  }

  /** Stops reading a followed turn (the turn runs on on the server). */
  #detach(): void {
    if (!this.watching) return;
    this.#controller?.abort();
    this.#controller = null;
    this.watching = false;
  }

  /** The stored token count is the truth (the stream's usage events may be partial after a stop). */
  async #syncTokens(): Promise<void> {
    const id = this.conversationId;
    if (!id) return;
    try {
      const detail = await api.get('/api/conversations/:id', { params: { id } });
      if (this.conversationId === id) {
        this.tokens = detail.tokens;
        this.conversation = detail.conversation;
      }
    } catch {
      // The live count stays; the next load corrects it.
    }
  }

  /** Runs a load with the page's loading and error state; answers what it read, or null when it failed. */
  async #load<T>(read: () => Promise<T>): Promise<T | null> {
    this.loading = true;
    this.loadError = null;
    try {
      const result = await read();
      this.loaded = true;
      return result;
    } catch (err) {
      this.loadError = err;
      return null;
    } finally {
      this.loading = false;
    }
  }

  #show(conversation: Conversation | null, messages: ChatMessage[], tokens: TokenUsage, mode: PermissionMode | null): void {
    this.#detach();
    for (const url of this.#objectUrls.splice(0)) URL.revokeObjectURL(url);
    this.permissionMode = mode;
    this.conversation = conversation;
    this.conversationId = conversation?.id ?? null;
    this.entries = entriesFromHistory(messages);
    this.tokens = tokens;
    this.focusMessage = null;
  }
}

/** The Studio's one conversation view. */
export const studioChat = new StudioChat();
