import type Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatMigrations } from '../../server/src/chat/migrations.js';
import { ChatStore } from '../../server/src/chat/store.js';
import { migrate, openDatabase } from '../../server/src/db/database.js';
import type { ChatHistory, ConversationExport, ConversationListItem, SearchResponse } from '../../server/src/wire/chat.js';
import { rawRequest } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { IMAGES, imageInput } from './fixtures.js';

// The server owns the routes; the test writes conversations through a second ChatStore on the
// same SQLite file (WAL allows it), since only POST /api/chat creates them over HTTP.
let server: TestServer;
let db: Database.Database;
let store: ChatStore;
beforeAll(async () => {
  server = await startTestServer();
  db = openDatabase(join(server.home, 'atelier.db'));
  migrate(db, chatMigrations);
  store = new ChatStore(db, join(server.home, 'images'));
});
afterAll(async () => {
  db.close();
  await server.close();
});

const getJson = async <T>(path: string): Promise<T> => {
  const res = await server.fetch(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

describe('chat history and clear', () => {
  it('GET /api/chat/history answers the current conversation with its messages and tokens', async () => {
    const c = store.openForChat({ provider_id: 'openai', model: 'gpt-4o', message: 'What is WAL?' });
    store.appendMessages(c.id, [
      { role: 'user', content: 'What is WAL?' },
      { role: 'assistant', content: 'Write-ahead logging.', input_tokens: 40, output_tokens: 6 },
    ]);
    const history = await getJson<ChatHistory>('/api/chat/history');
    expect(history.conversation?.id).toBe(c.id);
    expect(history.messages.map((m) => m.content)).toEqual(['What is WAL?', 'Write-ahead logging.']);
    expect(history.tokens).toEqual({ input_tokens: 40, output_tokens: 6, total_tokens: 46 });
  });

  it('POST /api/chat/clear empties the history and keeps the conversation in the list', async () => {
    const before = await getJson<ChatHistory>('/api/chat/history');
    const res = await server.fetch('/api/chat/clear', { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ previous_conversation_id: before.conversation!.id });
    expect((await getJson<ChatHistory>('/api/chat/history')).conversation).toBeNull();
    const list = await getJson<ConversationListItem[]>('/api/conversations');
    expect(list.find((c) => c.id === before.conversation!.id)).toMatchObject({ message_count: 2, current: false });
  });

  it('POST /api/chat/clear without a JSON content type is refused with 415', async () => {
    const res = await server.fetch('/api/chat/clear', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
  });
});

describe('conversations list, read, search, export and delete', () => {
  it('GET /api/conversations lists newest first, paged', async () => {
    const older = store.createConversation({ title: 'older' });
    await new Promise((r) => setTimeout(r, 5));
    const newer = store.createConversation({ title: 'newer' });
    const list = await getJson<ConversationListItem[]>('/api/conversations?limit=2');
    expect(list.map((c) => c.id)).toEqual([newer.id, older.id]);
    expect((await server.fetch('/api/conversations?limit=0')).status).toBe(400);
  });

  it('GET /api/conversations/:id answers one conversation with its messages, 404 when unknown', async () => {
    const c = store.createConversation({ title: 'one' });
    store.appendMessage(c.id, { role: 'user', content: 'hello' });
    const body = await getJson<{ conversation: { id: string }; messages: unknown[] }>(`/api/conversations/${c.id}`);
    expect(body.conversation.id).toBe(c.id);
    expect(body.messages).toHaveLength(1);
    const res = await server.fetch('/api/conversations/00000000-0000-0000-0000-000000000000');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('GET /api/conversations/search ranks hits and highlights them', async () => {
    const c = store.createConversation({ title: 'Postgres tuning' });
    store.appendMessages(c.id, [
      { role: 'user', content: 'my vacuum is slow, vacuum again and again' },
      { role: 'assistant', content: 'autovacuum settings matter; run vacuum analyze' },
    ]);
    const body = await getJson<SearchResponse>('/api/conversations/search?q=vacuum');
    expect(body.query).toBe('vacuum');
    expect(body.hits.length).toBe(2);
    expect(body.hits[0]!.snippet.filter((p) => p.match).map((p) => p.text)).toEqual(['vacuum', 'vacuum']);
    expect(body.hits[0]!.score).toBeGreaterThanOrEqual(body.hits[1]!.score);
    expect((await getJson<SearchResponse>('/api/conversations/search?q=postgres')).hits[0]).toMatchObject({ conversation_id: c.id, message_id: null });
  });

  it('GET /api/conversations/search refuses an empty or missing query with 400', async () => {
    for (const path of ['/api/conversations/search', '/api/conversations/search?q=', '/api/conversations/search?q=%20%20']) {
      const res = await server.fetch(path);
      expect(res.status, path).toBe(400);
      expect((await res.json()).code).toBe('VALIDATION_FAILED');
    }
  });

  it('GET /api/conversations/search answers 200 for FTS syntax characters', async () => {
    for (const q of ['foo"bar', 'a OR', 'NEAR(', '*', '-x', 'col:val', '(', 'AND', '"', 'x^y', '{a}', "l'été"]) {
      const res = await server.fetch(`/api/conversations/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
    }
  });

  it('GET /api/conversations/export downloads the conversation as a JSON attachment', async () => {
    const c = store.createConversation({ title: 'exported' });
    store.appendMessage(c.id, { role: 'user', content: 'see picture', images: [imageInput(IMAGES.gif, 'image/gif')] });
    const res = await server.fetch(`/api/conversations/export?id=${c.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="atelier-conversation-${c.id}.json"`);
    const doc = (await res.json()) as ConversationExport;
    expect(doc).toMatchObject({ format: 'atelier.conversation', conversation: { id: c.id }, images: [{ mime: 'image/gif', bytes: IMAGES.gif.length }] });
    expect((await server.fetch('/api/conversations/export?id=nope')).status).toBe(404);
    expect((await server.fetch('/api/conversations/export')).status).toBe(400);
  });

  it('DELETE /api/conversations/:id answers 204, removes its images, then 404', async () => {
    const c = store.createConversation({ title: 'doomed' });
    const [m] = store.appendMessages(c.id, [{ role: 'user', content: 'x', images: [imageInput(IMAGES.png)] }]);
    const url = m!.images[0]!.url;
    expect((await server.fetch(url)).status).toBe(200);
    const res = await server.fetch(`/api/conversations/${c.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await server.fetch(url)).status).toBe(404);
    expect((await server.fetch(`/api/conversations/${c.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('GET /api/images/:id', () => {
  let id: string;
  beforeAll(() => {
    const c = store.createConversation({ title: 'pictures' });
    const [m] = store.appendMessages(c.id, [{ role: 'user', content: 'png labelled jpeg', images: [imageInput(IMAGES.png, 'image/jpeg')] }]);
    id = m!.images[0]!.id;
  });

  it('serves the bytes with the sniffed type, nosniff and private caching', async () => {
    const res = await server.fetch(`/api/images/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+/);
    expect(res.headers.get('content-length')).toBe(String(IMAGES.png.length));
    expect(Buffer.from(await res.arrayBuffer())).toEqual(IMAGES.png);
  });

  it('needs the token like every API route', async () => {
    expect((await fetch(`${server.url}/api/images/${id}`)).status).toBe(401);
  });

  it('answers 404 for ids that are not 32 lowercase hex, and for traversal attempts', async () => {
    writeFileSync(join(server.home, 'images', 'f'.repeat(32)), 'no row for this file');
    const paths = [
      `/api/images/${id.toUpperCase()}`,
      `/api/images/${id.slice(1)}`,
      `/api/images/${id}0`,
      `/api/images/${id}.tmp`,
      `/api/images/${'0'.repeat(32)}`,
      `/api/images/${'f'.repeat(32)}`,
      '/api/images/..%2Fatelier.db',
      '/api/images/..%2F..%2Fconfig.json',
      '/api/images/%2e%2e%2fatelier.db',
      '/api/images/..%5Catelier.db',
      '/api/images/%00',
      '/api/images/../atelier.db',
    ];
    for (const path of paths) {
      const res = await rawRequest(server.port, { path, headers: { authorization: `Bearer ${server.token}` } });
      expect(res.status, path).toBe(404);
      expect(res.headers['content-type'], path).toMatch(/^application\/json/);
    }
  });
});

describe('OpenAPI', () => {
  it('documents the conversation routes under the chat tag', async () => {
    const doc = await getJson<{ paths: Record<string, Record<string, { tags: string[] }>> }>('/api/openapi.json');
    for (const [path, method] of [
      ['/api/chat/history', 'get'],
      ['/api/chat/clear', 'post'],
      ['/api/conversations', 'get'],
      ['/api/conversations/search', 'get'],
      ['/api/conversations/export', 'get'],
      ['/api/conversations/{id}', 'delete'],
      ['/api/images/{id}', 'get'],
    ] as const) {
      expect(doc.paths[path]?.[method]?.tags, `${method} ${path}`).toEqual(['chat']);
    }
  });
});
