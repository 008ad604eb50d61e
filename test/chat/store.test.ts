import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewMessage } from '../../server/src/chat/messages.js';
import type { ChatMessage } from '../../server/src/wire/chat.js';
import { AppError } from '../../server/src/http/errors.js';
import { IMAGES, imageInput, openStore, type StoreFixture } from './fixtures.js';

let fx: StoreFixture;
beforeEach(() => {
  fx = openStore();
});
afterEach(() => fx.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ChatStore conversations', () => {
  it('creates a conversation with a UUID and reads it back', () => {
    const c = fx.store.createConversation({ title: 'Docker networking', provider_id: 'openai', model: 'gpt-4o' });
    expect(c.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(fx.store.conversation(c.id)).toEqual(c);
    expect(fx.store.getConversation(c.id)).toEqual({ conversation: c, messages: [], tokens: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } });
  });

  it('returns null for an unknown conversation and 404 from requireConversation', () => {
    expect(fx.store.getConversation('nope')).toBeNull();
    expect(() => fx.store.requireConversation('nope')).toThrow(expect.objectContaining({ status: 404, code: 'NOT_FOUND' }));
  });

  it('stores every field of a message and returns messages oldest first', () => {
    const c = fx.store.createConversation();
    fx.store.appendMessage(c.id, { role: 'user', content: 'list my files' });
    fx.store.appendMessage(c.id, {
      role: 'assistant',
      content: '',
      thinking: 'use list_dir',
      tool_calls: [{ tool_call_id: 'call_1', name: 'list_dir', args: { path: '.' } }],
      input_tokens: 120,
      output_tokens: 30,
    });
    fx.store.appendMessage(c.id, { role: 'tool', content: 'permission denied', tool_call_id: 'call_1', is_error: true, sudo_blocked: true });
    const messages = fx.store.messages(c.id);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(messages[1]).toMatchObject({ thinking: 'use list_dir', tool_calls: [{ tool_call_id: 'call_1', name: 'list_dir', args: { path: '.' } }], input_tokens: 120, output_tokens: 30 });
    expect(messages[2]).toMatchObject({ tool_call_id: 'call_1', is_error: true, sudo_blocked: true, tool_calls: null });
    expect(messages[0]).toMatchObject({ is_error: false, sudo_blocked: false, thinking: null, input_tokens: null, images: [] });
  });

  it('sums the tokens of a conversation', () => {
    const c = fx.store.createConversation();
    fx.store.appendMessages(c.id, [
      { role: 'assistant', content: 'a', input_tokens: 100, output_tokens: 10 },
      { role: 'assistant', content: 'b', input_tokens: 200, output_tokens: 20 },
      { role: 'user', content: 'c' },
    ]);
    expect(fx.store.tokens(c.id)).toEqual({ input_tokens: 300, output_tokens: 30, total_tokens: 330 });
  });

  it('appends several messages in one transaction: one bad row stores none', () => {
    const c = fx.store.createConversation();
    const bad = [{ role: 'user', content: 'fine' }, { role: 'robot', content: 'not a role' }] as unknown as NewMessage[];
    expect(() => fx.store.appendMessages(c.id, bad)).toThrow();
    expect(fx.store.messages(c.id)).toEqual([]);
  });

  it('refuses to append to an unknown conversation with 404', () => {
    expect(() => fx.store.appendMessage('missing', { role: 'user', content: 'x' })).toThrow(expect.objectContaining({ status: 404 }));
  });

  it('lists conversations newest first with message count and a one-line preview of the last message', async () => {
    const a = fx.store.createConversation({ title: 'A' });
    await sleep(5);
    const b = fx.store.createConversation({ title: 'B' });
    fx.store.appendMessages(b.id, [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'Hello\n\n  there' }, { role: 'tool', content: 'tool output' }]);
    await sleep(5);
    fx.store.appendMessage(a.id, { role: 'user', content: 'x'.repeat(500) });
    const list = fx.store.listConversations();
    expect(list.map((c) => c.title)).toEqual(['A', 'B']);
    expect(list[1]).toMatchObject({ message_count: 3, last_snippet: 'Hello there', current: false });
    expect(list[0]!.last_snippet.length).toBeLessThanOrEqual(160);
    expect(fx.store.listConversations({ limit: 1, offset: 1 }).map((c) => c.title)).toEqual(['B']);
  });

  it('cuts a title taken from a long first message to one line', () => {
    const c = fx.store.openForChat({ provider_id: 'p', model: 'm', message: `Explain\nthis ${'word '.repeat(100)}` });
    expect(c.title.startsWith('Explain this word')).toBe(true);
    expect(c.title.length).toBeLessThanOrEqual(120);
    expect(c.title.endsWith('…')).toBe(true);
  });

  it('stores the summary the LLM wrote and keeps it across a reopen', () => {
    const c = fx.store.createConversation({ title: 'T' });
    fx.store.setSummary(c.id, 'We fixed the DNS resolver.');
    expect(fx.reopen().conversation(c.id)?.summary).toBe('We fixed the DNS resolver.');
  });

  it('exports a conversation with its messages and image references', () => {
    const c = fx.store.createConversation({ title: 'Export me' });
    fx.store.appendMessage(c.id, { role: 'user', content: 'look', images: [imageInput(IMAGES.png)] });
    fx.store.appendMessage(c.id, { role: 'assistant', content: 'a red pixel' });
    const doc = fx.store.export(c.id);
    expect(doc).toMatchObject({ format: 'atelier.conversation', version: 1, conversation: { id: c.id, title: 'Export me' } });
    expect(doc.messages.map((m) => m.content)).toEqual(['look', 'a red pixel']);
    expect(doc.images).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{32}$/), mime: 'image/png', bytes: IMAGES.png.length, url: `/api/images/${doc.images[0]!.id}` }]);
    expect(() => fx.store.export('unknown')).toThrow(AppError);
  });

  it('reads only the last messages for the model, oldest first, with what the model needs', () => {
    const c = fx.store.createConversation();
    fx.store.appendMessage(c.id, { role: 'user', content: 'old picture', images: [imageInput(IMAGES.png)] });
    for (let i = 0; i < 6; i++) fx.store.appendMessage(c.id, { role: i % 2 ? 'assistant' : 'user', content: `m${i}` });
    fx.store.appendMessage(c.id, { role: 'user', content: 'new picture', images: [imageInput(IMAGES.gif, 'image/gif')] });
    fx.store.appendMessage(c.id, { role: 'assistant', content: '', tool_calls: [{ tool_call_id: 't1', name: 'terminal', args: { command: 'ls' } }] });
    fx.store.appendMessage(c.id, { role: 'tool', content: 'no such file', tool_call_id: 't1', is_error: true });
    const recent = fx.store.modelHistory(c.id, 4);
    expect(recent.map((m) => m.content)).toEqual(['m5', 'new picture', '', 'no such file']);
    const pick = ({ id, role, content, tool_calls, tool_call_id, is_error }: ChatMessage) => ({ id, role, content, tool_calls, tool_call_id, is_error });
    expect(fx.store.modelHistory(c.id, 100)).toEqual(fx.store.messages(c.id).map(pick));
    expect(recent[2]!.tool_calls).toEqual([{ tool_call_id: 't1', name: 'terminal', args: { command: 'ls' } }]);
    expect(recent[3]).toMatchObject({ role: 'tool', tool_call_id: 't1', is_error: true });
    expect(fx.store.modelHistory('unknown', 3)).toEqual([]);
  });
});

describe('ChatStore deletion', () => {
  it('deletes a conversation with its messages, image rows and image files', () => {
    const c = fx.store.createConversation();
    const [m] = fx.store.appendMessages(c.id, [{ role: 'user', content: 'two pictures', images: [imageInput(IMAGES.png), imageInput(IMAGES.gif, 'image/gif')] }]);
    const ids = m!.images.map((i) => i.id);
    expect(readdirSync(fx.imagesDir).sort()).toEqual([...ids].sort());
    const other = fx.store.createConversation();
    fx.store.appendMessage(other.id, { role: 'user', content: 'keep', images: [imageInput(IMAGES.webp, 'image/webp')] });

    expect(fx.store.deleteConversation(c.id)).toBe(true);
    expect(fx.store.conversation(c.id)).toBeNull();
    expect(fx.db.prepare('SELECT count(*) FROM messages WHERE conversation_id = ?').pluck().get(c.id)).toBe(0);
    expect(fx.db.prepare('SELECT count(*) FROM images WHERE conversation_id = ?').pluck().get(c.id)).toBe(0);
    for (const id of ids) expect(existsSync(join(fx.imagesDir, id))).toBe(false);
    expect(readdirSync(fx.imagesDir)).toHaveLength(1);
    expect(fx.store.messages(other.id)).toHaveLength(1);
  });

  it('answers false for deleting an unknown conversation', () => {
    expect(fx.store.deleteConversation('nope')).toBe(false);
  });

  it('removes deleted messages from the search index', () => {
    const c = fx.store.createConversation();
    fx.store.appendMessage(c.id, { role: 'user', content: 'quokka sightings' });
    expect(fx.store.search('quokka')).toHaveLength(1);
    fx.store.deleteConversation(c.id);
    expect(fx.store.search('quokka')).toEqual([]);
    fx.db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
  });

  it('sweeps image files that no row knows once they are old, and leaves fresh ones', () => {
    const orphan = join(fx.imagesDir, 'a'.repeat(32));
    const fresh = join(fx.imagesDir, 'b'.repeat(32));
    const foreign = join(fx.imagesDir, 'notes.txt');
    for (const f of [orphan, fresh, foreign]) writeFileSync(f, 'x');
    const old = new Date(Date.now() - 3600_000);
    utimesSync(orphan, old, old);
    utimesSync(foreign, old, old);
    fx.reopen();
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(foreign)).toBe(true);
  });
});

describe('ChatStore current conversation', () => {
  it('has no current conversation at first: history is empty', () => {
    expect(fx.store.history()).toEqual({ conversation: null, messages: [], tokens: { input_tokens: 0, output_tokens: 0, total_tokens: 0 }, permission_mode: null });
  });

  it('opens a new conversation for the first chat message, titled after it, and makes it current', () => {
    const c = fx.store.openForChat({ provider_id: 'openai', model: 'gpt-4o', message: 'How do I rebase?' });
    expect(c).toMatchObject({ title: 'How do I rebase?', provider_id: 'openai', model: 'gpt-4o' });
    fx.store.appendMessage(c.id, { role: 'user', content: 'How do I rebase?' });
    fx.store.appendMessage(c.id, { role: 'assistant', content: 'git rebase -i', input_tokens: 10, output_tokens: 5 });
    const history = fx.store.history();
    expect(history.conversation?.id).toBe(c.id);
    expect(history.messages.map((m) => m.content)).toEqual(['How do I rebase?', 'git rebase -i']);
    expect(history.tokens.total_tokens).toBe(15);
  });

  it('continues the current conversation when no conversation_id is given', () => {
    const first = fx.store.openForChat({ provider_id: 'p', model: 'm', message: 'one' });
    const second = fx.store.openForChat({ provider_id: 'p', model: 'm2', message: 'two' });
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ title: 'one', model: 'm2' });
  });

  it('clear starts afresh and keeps the old conversation in the list', () => {
    const old = fx.store.openForChat({ provider_id: 'p', model: 'm', message: 'before' });
    expect(fx.store.clear()).toEqual({ previous_conversation_id: old.id });
    expect(fx.store.history().conversation).toBeNull();
    expect(fx.store.listConversations().map((c) => c.id)).toEqual([old.id]);
    const next = fx.store.openForChat({ provider_id: 'p', model: 'm', message: 'after' });
    expect(next.id).not.toBe(old.id);
    expect(fx.store.listConversations().find((c) => c.current)?.id).toBe(next.id);
  });

  it('makes a named conversation current, and answers 404 for an unknown one', () => {
    const a = fx.store.openForChat({ provider_id: 'p', model: 'm', message: 'a' });
    fx.store.clear();
    const b = fx.store.openForChat({ provider_id: 'p', model: 'm', message: 'b' });
    expect(fx.store.openForChat({ conversation_id: a.id, provider_id: 'p', model: 'm', message: 'again' }).id).toBe(a.id);
    expect(fx.store.currentConversation()?.id).toBe(a.id);
    expect(b.id).not.toBe(a.id);
    expect(() => fx.store.openForChat({ conversation_id: 'gone', provider_id: 'p', model: 'm', message: 'x' })).toThrow(expect.objectContaining({ status: 404 }));
  });

  it('has no current conversation after the current one is deleted', () => {
    const c = fx.store.openForChat({ provider_id: 'p', model: 'm', message: 'bye' });
    fx.store.deleteConversation(c.id);
    expect(fx.store.history().conversation).toBeNull();
    expect(fx.store.currentConversation()).toBeNull();
  });

  it('remembers the current conversation across a restart', () => {
    const c = fx.store.openForChat({ provider_id: 'p', model: 'm', message: 'persist' });
    expect(fx.reopen().history().conversation?.id).toBe(c.id);
  });
});
