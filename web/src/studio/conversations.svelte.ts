/**
 * The conversation sidebar's data: the list, full-text search as the user types, and the
 * per-conversation actions (summarize, delete, export).
 */
import type { ConversationListItem, SearchHit } from '$wire/chat';
import { api, describeError, hrefOf } from '../lib/api';
import { LoadState } from '../lib/load-state.svelte';
import { modelChoice } from './model-choice.svelte';

/** Typing pauses this long before a search goes out: one request per word, not per key. */
const SEARCH_DEBOUNCE_MS = 250;

/** A summary being made or shown. */
export interface SummaryState {
  busy: boolean;
  error: string;
}

/** Where the browser downloads a conversation as JSON (the server names the file). */
export function exportHref(id: string): string {
  return hrefOf('/api/conversations/export', { query: { id } });
}

export class ConversationList extends LoadState {
  items = $state.raw<ConversationListItem[]>([]);
  query = $state('');
  /** null: no search (the list shows); an array: the hits of `query`. */
  hits = $state.raw<SearchHit[] | null>(null);
  searching = $state(false);
  searchError = $state('');
  summaries = $state<Record<string, SummaryState>>({});

  #timer: ReturnType<typeof setTimeout> | undefined;
  #search: AbortController | null = null;

  /** Reads the list again. */
  async refresh(): Promise<void> {
    await this.run(
      () => api.get('/api/conversations'),
      (items) => (this.items = items),
    );
  }

  /** Takes the search box's text; searches once typing pauses, or clears the search when empty. */
  setQuery(query: string): void {
    this.query = query;
    clearTimeout(this.#timer);
    this.#search?.abort();
    if (!query.trim()) {
      this.hits = null;
      this.searching = false;
      this.searchError = '';
      return;
    }
    this.searching = true;
    this.#timer = setTimeout(() => void this.#run(query.trim()), SEARCH_DEBOUNCE_MS);
  }

  async #run(q: string): Promise<void> {
    const controller = new AbortController();
    this.#search = controller;
    try {
      const answer = await api.get('/api/conversations/search', { query: { q }, signal: controller.signal });
      this.hits = answer.hits;
      this.searchError = '';
    } catch (err) {
      if (controller.signal.aborted) return;
      this.hits = [];
      this.searchError = describeError(err);
    } finally {
      if (this.#search === controller) this.searching = false;
    }
  }

  /** Deletes a conversation with its messages and images. */
  async remove(id: string): Promise<void> {
    await api.delete('/api/conversations/:id', { params: { id } });
    this.supersede();
    this.items = this.items.filter((c) => c.id !== id);
    if (this.hits) this.hits = this.hits.filter((h) => h.conversation_id !== id);
  }

  /** Asks the model for a summary of a conversation; it is stored and shown under the conversation. */
  async summarize(id: string): Promise<void> {
    this.summaries[id] = { busy: true, error: '' };
    try {
      // The provider and model picked in the studio, as for a message.
      const { provider, model } = modelChoice;
      const { summary } = await api.post('/api/chat/summarize', { body: { conversation_id: id, ...(provider && { provider }), ...(model && { model }) } });
      this.items = this.items.map((c) => (c.id === id ? { ...c, summary } : c));
      this.summaries[id] = { busy: false, error: '' };
    } catch (err) {
      this.summaries[id] = { busy: false, error: describeError(err) };
    }
  }

  /** Stops a pending search (the page is going away). */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#search?.abort();
  }
}
