import type { Migration } from '../db/database.js';

/**
 * Word tokenizer for both search indexes: unicode61, not trigram. On the bench's 100 000
 * messages (test/bench/search.mjs) trigram's index was 3.7× larger (111 MB vs 30 MB) and
 * queries 2–6× slower, since every 3-letter run is a term with a long doclist that bm25 walks;
 * it also ranks fragments rather than words and cannot match a 1–2 letter word. unicode61
 * keeps p95 under 10 ms. `remove_diacritics 2` lets "cafe" find "café" (French is a UI language).
 */
const TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'";
/** A ready-made doclist per 3-letter prefix: as-you-type "fun*" reads one list instead of merging hundreds (~15% more index). */
const PREFIX = "prefix = '3'";

/** Roles whose text is searchable; tool output (file dumps, command logs) would drown every query. */
const INDEXED_ROLES = "('user', 'assistant')";

/** Tables of the chat capability: conversations, messages, images, their FTS5 indexes, the current conversation. */
export const chatMigrations: readonly Migration[] = [
  {
    id: '030_chat_conversations',
    up: (db) => {
      db.exec(`
        CREATE TABLE conversations (
          id TEXT PRIMARY KEY,
          title TEXT NOT NULL,
          provider_id TEXT NOT NULL DEFAULT '',
          model TEXT NOT NULL DEFAULT '',
          summary TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        CREATE INDEX conversations_by_update ON conversations (updated_at DESC);

        CREATE TABLE messages (
          id INTEGER PRIMARY KEY,
          conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
          role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')),
          content TEXT NOT NULL,
          thinking TEXT,
          tool_calls TEXT CHECK (tool_calls IS NULL OR json_valid(tool_calls)),
          tool_call_id TEXT,
          is_error INTEGER NOT NULL DEFAULT 0 CHECK (is_error IN (0, 1)),
          sudo_blocked INTEGER NOT NULL DEFAULT 0 CHECK (sudo_blocked IN (0, 1)),
          created_at TEXT NOT NULL,
          input_tokens INTEGER,
          output_tokens INTEGER
        );
        CREATE INDEX messages_by_conversation ON messages (conversation_id, id);

        -- A row exists exactly while its file <dataDir>/images/<id> does (files go after the rows).
        CREATE TABLE images (
          id TEXT PRIMARY KEY CHECK (length(id) = 32),
          conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
          message_id INTEGER REFERENCES messages (id) ON DELETE CASCADE,
          mime TEXT NOT NULL,
          bytes INTEGER NOT NULL,
          sha256 TEXT NOT NULL,
          created_at TEXT NOT NULL
        );
        CREATE INDEX images_by_conversation ON images (conversation_id);
        CREATE INDEX images_by_message ON images (message_id);

        -- Small key/value state, e.g. current_conversation_id.
        CREATE TABLE chat_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        -- External content: the text lives once, in messages; triggers keep the index in step.
        CREATE VIRTUAL TABLE messages_fts USING fts5 (content, content = 'messages', content_rowid = 'id', ${TOKENIZE}, ${PREFIX});
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.role IN ${INDEXED_ROLES} BEGIN
          INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.role IN ${INDEXED_ROLES} BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
        END;
        -- One trigger, in order: the old text must leave the index before the new text enters it.
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF role, content ON messages BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, content) SELECT 'delete', old.id, old.content WHERE old.role IN ${INDEXED_ROLES};
          INSERT INTO messages_fts (rowid, content) SELECT new.id, new.content WHERE new.role IN ${INDEXED_ROLES};
        END;

        -- Titles and summaries are short: a plain FTS table (a copy) keyed by the conversation id,
        -- because external content needs an integer rowid and conversations are keyed by UUID.
        CREATE VIRTUAL TABLE conversations_fts USING fts5 (conversation_id UNINDEXED, title, summary, ${TOKENIZE});
        CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
          INSERT INTO conversations_fts (conversation_id, title, summary) VALUES (new.id, new.title, coalesce(new.summary, ''));
        END;
        CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title, summary ON conversations BEGIN
          UPDATE conversations_fts SET title = new.title, summary = coalesce(new.summary, '') WHERE conversation_id = old.id;
        END;
        CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
          DELETE FROM conversations_fts WHERE conversation_id = old.id;
        END;
      `);
    },
  },
  {
    // Marks the answer written by the second pass of advanced reflection, so a reloaded
    // transcript can show it as the revised answer rather than a second one.
    id: '031_chat_messages_reflection',
    up: (db) => db.exec('ALTER TABLE messages ADD COLUMN reflection INTEGER NOT NULL DEFAULT 0 CHECK (reflection IN (0, 1))'),
  },
  {
    // New messages enter the full-text index in batches (ChatStore.indexPending) rather than
    // row by row inside each append: with the index in the append, 100 streams ending together
    // held the event loop ~43 ms; without it ~18 ms, plus one batch of ~3 ms. Rows above the
    // watermark are not in the index yet, so deleting or editing them must not touch it.
    id: '032_chat_messages_fts_batched',
    up: (db) => {
      const indexed = "old.id <= (SELECT CAST(value AS INTEGER) FROM chat_state WHERE key = 'fts_indexed_upto')";
      db.exec(`
        DROP TRIGGER messages_fts_insert;
        DROP TRIGGER messages_fts_delete;
        DROP TRIGGER messages_fts_update;
        INSERT OR REPLACE INTO chat_state (key, value) VALUES ('fts_indexed_upto', (SELECT CAST(coalesce(max(id), 0) AS TEXT) FROM messages));
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.role IN ${INDEXED_ROLES} AND ${indexed} BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
        END;
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF role, content ON messages WHEN ${indexed} BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, content) SELECT 'delete', old.id, old.content WHERE old.role IN ${INDEXED_ROLES};
          INSERT INTO messages_fts (rowid, content) SELECT new.id, new.content WHERE new.role IN ${INDEXED_ROLES};
        END;
      `);
    },
  },
  {
    // Every chat message updates its conversation (provider, model), and naming title and summary
    // in that UPDATE fired the index trigger, which rewrote the conversation's index row after
    // scanning the whole index for it (conversation_id is not indexed): measurable per message
    // with a few hundred conversations. Now only a real change of title or summary re-indexes.
    id: '033_conversations_fts_on_change',
    up: (db) =>
      db.exec(`
        DROP TRIGGER conversations_fts_update;
        CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title, summary ON conversations
          WHEN old.title IS NOT new.title OR old.summary IS NOT new.summary BEGIN
          UPDATE conversations_fts SET title = new.title, summary = coalesce(new.summary, '') WHERE conversation_id = old.id;
        END;
      `),
  },
  {
    // The title index was keyed by an UNINDEXED conversation_id, so each rename, summary and
    // delete scanned all of it (~2.5 ms per change at 10 000 conversations). It is now keyed by the
    // FTS rowid, taken from conversation_keys: an INTEGER PRIMARY KEY, which VACUUM keeps
    // (the implicit rowid of `conversations` it may renumber).
    id: '034_conversations_fts_keyed',
    up: (db) =>
      db.exec(`
        DROP TRIGGER conversations_fts_insert;
        DROP TRIGGER conversations_fts_update;
        DROP TRIGGER conversations_fts_delete;
        DROP TABLE conversations_fts;

        CREATE TABLE conversation_keys (key INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL UNIQUE);
        INSERT INTO conversation_keys (conversation_id) SELECT id FROM conversations ORDER BY created_at, id;
        CREATE VIRTUAL TABLE conversations_fts USING fts5 (title, summary, ${TOKENIZE});
        INSERT INTO conversations_fts (rowid, title, summary)
          SELECT k.key, c.title, coalesce(c.summary, '') FROM conversations c JOIN conversation_keys k ON k.conversation_id = c.id;

        CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
          INSERT INTO conversation_keys (conversation_id) VALUES (new.id);
          INSERT INTO conversations_fts (rowid, title, summary)
            VALUES ((SELECT key FROM conversation_keys WHERE conversation_id = new.id), new.title, coalesce(new.summary, ''));
        END;
        CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title, summary ON conversations
          WHEN old.title IS NOT new.title OR old.summary IS NOT new.summary BEGIN
          UPDATE conversations_fts SET title = new.title, summary = coalesce(new.summary, '')
            WHERE rowid = (SELECT key FROM conversation_keys WHERE conversation_id = old.id);
        END;
        CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
          DELETE FROM conversations_fts WHERE rowid = (SELECT key FROM conversation_keys WHERE conversation_id = old.id);
          DELETE FROM conversation_keys WHERE conversation_id = old.id;
        END;
      `),
  },
  {
    id: '035_conversation_permissions',
    up: (db) =>
      db.exec(`
        CREATE TABLE conversation_permissions (
          conversation_id TEXT PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
          mode TEXT NOT NULL CHECK (mode IN ('ask', 'accept-edits', 'read-only', 'trusted'))
        );
        -- A tool result the permission system refused (a rule, the mode, the user or the timeout).
        ALTER TABLE messages ADD COLUMN permission_denied INTEGER NOT NULL DEFAULT 0 CHECK (permission_denied IN (0, 1));
      `),
  },
];

/** The roles whose text the message index holds (ChatStore.indexPending adds them in batches). */
export const INDEXED_MESSAGE_ROLES = INDEXED_ROLES;
