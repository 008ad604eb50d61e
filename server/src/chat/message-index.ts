import { MESSAGE_INDEX_DELAY_MS } from '../limits.js';
import { INDEXED_MESSAGE_ROLES } from './migrations.js';
import type { ChatState, Statements } from './statements.js';

/** chat_state key: the highest message id already in the full-text index. */
const INDEX_KEY = 'fts_indexed_upto';

/**
 * Keeps the full-text index (`messages_fts`) up with the messages: appends leave indexing to
 * this (see migration 032), which runs shortly after them, and before every search so results
 * are never stale.
 */
export class MessageIndex {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly q: Statements,
    private readonly state: ChatState,
  ) {}

  /** Adds the messages stored since the last pass to the index, in one transaction. */
  indexPending(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.q.db.transaction(() => {
      const upto = Number(this.state.get(INDEX_KEY) ?? 0);
      const last = this.q.sql('SELECT coalesce(max(id), 0) FROM messages').pluck().get() as number;
      if (last <= upto) return;
      this.q.sql(`INSERT INTO messages_fts (rowid, content) SELECT id, content FROM messages WHERE id > ? AND id <= ? AND role IN ${INDEXED_MESSAGE_ROLES} ORDER BY id`).run(upto, last);
      this.state.set(INDEX_KEY, String(last));
    })();
  }

  /** Indexes soon (MESSAGE_INDEX_DELAY_MS): one pass for a burst of appends. */
  schedule(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      try {
        this.indexPending();
      } catch {
        // The database closed under the timer (shutdown): the next start indexes these rows.
      }
    }, MESSAGE_INDEX_DELAY_MS).unref();
  }
}
