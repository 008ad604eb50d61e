import type { ImageRef } from '../wire/chat.js';
import type { CheckedImage } from './images.js';
import type { Statements } from './statements.js';

/** A stored image file ready to be read or served. */
export interface StoredImage {
  id: string;
  mime: string;
  bytes: number;
  path: string;
}

/** One row of `images`: an image attached to a message (its file is under the images dir, named by id). */
export interface ImageRow {
  id: string;
  message_id: number | null;
  mime: string;
  bytes: number;
}

/** How a message refers to its image: served by GET /api/images/{id}. */
export function imageRef(row: ImageRow): ImageRef {
  return { id: row.id, mime: row.mime, bytes: row.bytes, url: `/api/images/${row.id}` };
}

/** The `images` table: which message each stored image belongs to, and its sniffed type and size. */
export class Attachments {
  constructor(private readonly q: Statements) {}

  /** Records the images of one message. */
  insert(conversationId: string, messageId: number | bigint, images: readonly CheckedImage[], at: string): void {
    const insert = this.q.sql('INSERT INTO images (id, conversation_id, message_id, mime, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const image of images) insert.run(image.id, conversationId, messageId, image.mime, image.data.length, image.sha256, at);
  }

  /** The images of a conversation, in the order they were stored. */
  ofConversation(conversationId: string): ImageRow[] {
    return this.q.sql('SELECT id, message_id, mime, bytes FROM images WHERE conversation_id = ? ORDER BY rowid').all(conversationId) as ImageRow[];
  }

  /** The images of these messages (ids as a JSON array), in the order they were stored. */
  ofMessages(messageIdsJson: string): ImageRow[] {
    return this.q.sql('SELECT id, message_id, mime, bytes FROM images WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY rowid').all(messageIdsJson) as ImageRow[];
  }

  /** The ids of a conversation's images (their files go when it does). */
  idsOf(conversationId: string): string[] {
    return this.q.sql('SELECT id FROM images WHERE conversation_id = ?').pluck().all(conversationId) as string[];
  }

  find(id: string): ImageRow | null {
    return (this.q.sql('SELECT id, message_id, mime, bytes FROM images WHERE id = ?').get(id) as ImageRow | undefined) ?? null;
  }

  /** Whether a row names this id (a file without one is an orphan). */
  known(id: string): boolean {
    return this.q.sql('SELECT 1 FROM images WHERE id = ?').pluck().get(id) !== undefined;
  }
}
