import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { chatMigrations } from '../../server/src/chat/migrations.js';
import { ChatStore } from '../../server/src/chat/store.js';
import { migrate, openDatabase } from '../../server/src/db/database.js';
import { tempDir } from '../helpers/temp.js';

/** A ChatStore over a real SQLite file in a fresh temporary directory. */
export interface StoreFixture {
  store: ChatStore;
  db: Database.Database;
  dir: string;
  imagesDir: string;
  /** A second store over the same files, as after a restart. */
  reopen(): ChatStore;
  close(): void;
}

export function openStore(): StoreFixture {
  const tmp = tempDir('atelier-chat-');
  const db = openDatabase(join(tmp.dir, 'atelier.db'));
  migrate(db, chatMigrations);
  const imagesDir = join(tmp.dir, 'images');
  return {
    store: new ChatStore(db, imagesDir),
    db,
    dir: tmp.dir,
    imagesDir,
    reopen: () => new ChatStore(db, imagesDir),
    close() {
      db.close();
      tmp.remove();
    },
  };
}

/** Smallest real images of each type, as bytes. */
export const IMAGES = {
  png: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'),
  gif: Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'),
  jpeg: Buffer.from(
    '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
    'base64',
  ),
  webp: Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'),
};

/** An image as a client sends it. */
export function imageInput(bytes: Buffer, mime = 'image/png'): { mime: string; data: string } {
  return { mime, data: bytes.toString('base64') };
}
