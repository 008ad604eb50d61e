import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MESSAGE_INDEX_DELAY_MS } from '../../server/src/limits.js';
import { highlight, parseQuery } from '../../server/src/chat/search.js';
import type { SearchHit } from '../../server/src/wire/chat.js';
import { join } from 'node:path';
import { chatMigrations } from '../../server/src/chat/migrations.js';
import { ChatStore } from '../../server/src/chat/store.js';
import { migrate, openDatabase } from '../../server/src/db/database.js';
import { tempDir } from '../helpers/temp.js';
import { openStore, type StoreFixture } from './fixtures.js';

let fx: StoreFixture;
beforeEach(() => {
  fx = openStore();
});
afterEach(() => fx.close());

/** Stores one conversation per entry, each with the given messages (alternating user/assistant). */
function seed(conversations: Record<string, string[]>): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const [title, texts] of Object.entries(conversations)) {
    const c = fx.store.createConversation({ title });
    ids[title] = c.id;
    fx.store.appendMessages(
      c.id,
      texts.map((content, i) => ({ role: i % 2 ? 'assistant' : 'user', content })),
    );
  }
  return ids;
}

const marked = (hit: SearchHit): string => hit.snippet.map((p) => (p.match ? `[${p.text}]` : p.text)).join('');

describe('conversation search', () => {
  it('ranks the message most about the word first', () => {
    seed({
      one: ['The kubernetes pod restarted, then the kubernetes service, and the kubernetes ingress.', 'Lunch was a long affair with friends and a kubernetes joke somewhere in the middle of it all.'],
    });
    const hits = fx.store.search('kubernetes');
    expect(hits).toHaveLength(2);
    expect(hits[0]!.snippet.filter((p) => p.match)).toHaveLength(3);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
  });

  it('finds a conversation by its title and summary, ranked above a message hit', () => {
    const ids = seed({ 'Flamegraph profiling session': ['how do I read this?'], other: ['a flamegraph is a chart'] });
    fx.store.setSummary(ids.other!, 'Reading perf output');
    const hits = fx.store.search('flamegraph');
    expect(hits[0]).toMatchObject({ conversation_id: ids['Flamegraph profiling session'], message_id: null, role: null });
    expect(marked(hits[0]!)).toBe('[Flamegraph] profiling session');
    expect(hits.some((h) => h.conversation_id === ids.other && h.message_id !== null)).toBe(true);
    expect(fx.store.search('perf')[0]).toMatchObject({ conversation_id: ids.other, message_id: null });
  });

  it('highlights the matched words in a snippet of plain text around them', () => {
    const before = 'word '.repeat(40);
    seed({ t: [`${before}the <b>segfault</b> happened in libc & the allocator ${'tail '.repeat(40)}`] });
    const [hit] = fx.store.search('segfault allocator');
    expect(marked(hit!)).toBe(`…the <b>[segfault]</b> happened in libc & the [allocator]${' tail'.repeat(7)}…`);
    expect(hit!.snippet.some((p) => p.text.includes('\n'))).toBe(false);
  });

  it('requires every word to match', () => {
    seed({ t: ['docker compose up', 'docker build .'] });
    expect(fx.store.search('docker compose').map((h) => h.snippet.map((p) => p.text).join(''))).toEqual(['docker compose up']);
  });

  it('finds accented words without the accents and the other way round', () => {
    seed({ t: ['Le café est prêt', 'naive approach'] });
    expect(fx.store.search('cafe')).toHaveLength(1);
    expect(fx.store.search('PRÊT')).toHaveLength(1);
    expect(fx.store.search('naïve')).toHaveLength(1);
  });

  it('matches the last word as a prefix while it is being typed', () => {
    seed({ t: ['the websocket reconnects', 'a web page'] });
    expect(fx.store.search('websoc').map(marked)).toEqual(['the [websocket] reconnects']);
  });

  it('matches a whole stored word exactly, not as a prefix', () => {
    seed({ t: ['a web page', 'the websocket reconnects'] });
    expect(fx.store.search('web').map(marked)).toEqual(['a [web] page']);
  });

  it('leaves tool output out of the index', () => {
    const c = fx.store.createConversation();
    fx.store.appendMessages(c.id, [
      { role: 'user', content: 'run ls' },
      { role: 'tool', content: 'zebrafish.txt', tool_call_id: '1' },
    ]);
    expect(fx.store.search('zebrafish')).toEqual([]);
  });

  it('keeps the index in step when a message is edited', () => {
    seed({ t: ['original wording'] });
    fx.db.prepare("UPDATE messages SET content = 'revised wording'").run();
    expect(fx.store.search('original')).toEqual([]);
    expect(fx.store.search('revised')).toHaveLength(1);
    fx.db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
  });

  it('re-indexes a conversation only when its title or summary changes, not at each message', () => {
    const ids = seed({ 'Quarterly budget': ['numbers'] });
    const changes = (): number => fx.db.prepare('SELECT total_changes()').pluck().get() as number;
    const before = changes();
    fx.store.updateConversation(ids['Quarterly budget']!, { provider_id: 'p', model: 'm' });
    expect(changes() - before).toBe(1); // the conversation row alone; no index row rewritten
    fx.store.updateConversation(ids['Quarterly budget']!, { title: 'Yearly budget' });
    expect(fx.store.search('yearly')[0]).toMatchObject({ conversation_id: ids['Quarterly budget'], message_id: null });
    expect(fx.store.search('quarterly')).toEqual([]);
  });

  it('keeps each title indexed under its own conversation across renames, summaries, deletes and a VACUUM', () => {
    const ids = seed({ 'Alpha rollout': ['a'], 'Bravo migration': ['b'], 'Charlie review': ['c'] });
    fx.store.deleteConversation(ids['Alpha rollout']!);
    // VACUUM may renumber the implicit rowids of `conversations`; the index must not follow them.
    fx.db.exec('VACUUM');
    fx.store.updateConversation(ids['Charlie review']!, { title: 'Delta review' });
    fx.store.setSummary(ids['Bravo migration']!, 'Echo notes');
    const titleHits = (q: string) => fx.store.search(q).filter((h) => h.message_id === null).map((h) => h.conversation_id);
    expect(titleHits('alpha')).toEqual([]);
    expect(titleHits('charlie')).toEqual([]);
    expect(titleHits('delta')).toEqual([ids['Charlie review']]);
    expect(titleHits('bravo')).toEqual([ids['Bravo migration']]);
    expect(titleHits('echo')).toEqual([ids['Bravo migration']]);
    expect(fx.db.prepare('SELECT conversation_id FROM conversation_keys ORDER BY key').pluck().all()).toEqual([ids['Bravo migration'], ids['Charlie review']]);
    fx.db.exec("INSERT INTO conversations_fts (conversations_fts) VALUES ('integrity-check')");
  });

  it('honours the limit', () => {
    seed({ t: Array.from({ length: 30 }, (_, i) => `repeated term number ${i}`) });
    expect(fx.store.search('repeated', 5)).toHaveLength(5);
    expect(fx.store.search('repeated')).toHaveLength(20);
  });

  it('finds nothing, without error, for text with no letters or digits', () => {
    seed({ t: ['* ( ) " - :'] });
    for (const q of ['*', '(', '"', '- :', '   ']) expect(fx.store.search(q), q).toEqual([]);
  });
});

describe('the title index keyed by conversation_keys (migration 034)', () => {
  it('carries the titles and summaries of a database made before it', () => {
    const tmp = tempDir('atelier-chat-034-');
    const db = openDatabase(join(tmp.dir, 'atelier.db'));
    try {
      const before = chatMigrations.findIndex((m) => m.id === '034_conversations_fts_keyed');
      migrate(db, chatMigrations.slice(0, before));
      // Written as the previous version did, through its triggers (today's store expects 034).
      const insert = db.prepare("INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, '2026-01-01', '2026-01-01')");
      const kept = { id: 'c-kept' };
      insert.run(kept.id, 'Kernel tuning');
      insert.run('c-gone', 'Kernel panic');
      db.prepare("UPDATE conversations SET summary = 'sysctl notes' WHERE id = ?").run(kept.id);
      db.prepare('DELETE FROM conversations WHERE id = ?').run('c-gone');
      expect(migrate(db, chatMigrations)).toEqual(['034_conversations_fts_keyed', '035_conversation_permissions']);
      const store = new ChatStore(db, join(tmp.dir, 'images'));
      expect(store.search('kernel').map((h) => h.conversation_id)).toEqual([kept.id]);
      expect(store.search('sysctl').map((h) => h.conversation_id)).toEqual([kept.id]);
      const fresh = store.createConversation({ title: 'Kernel modules' });
      expect(new Set(store.search('kernel').map((h) => h.conversation_id))).toEqual(new Set([kept.id, fresh.id]));
      db.exec("INSERT INTO conversations_fts (conversations_fts) VALUES ('integrity-check')");
    } finally {
      db.close();
      tmp.remove();
    }
  });
});

describe('search text is never FTS syntax', () => {
  const stored = [
    'foo"bar is a quoted identifier',
    'a OR b are both fine',
    'NEAR(x y) is not a function here',
    'the * wildcard in globs',
    '-x excludes nothing',
    'col:val pairs in config',
    'call f(a, b) with (parens)',
    'AND NOT the operators',
    'weird ^caret and {braces} and [brackets]',
    "it's o'clock",
    'x+y=z arithmetic',
    'path/to/file.ts line 10',
  ];
  const cases: [query: string, expected: string][] = [
    ['foo"bar', 'foo"bar is a quoted identifier'],
    ['a OR', 'a OR b are both fine'],
    ['NEAR(', 'NEAR(x y) is not a function here'],
    ['NEAR(x', 'NEAR(x y) is not a function here'],
    ['* wildcard', 'the * wildcard in globs'],
    ['-x', '-x excludes nothing'],
    ['col:val', 'col:val pairs in config'],
    ['content:val', ''],
    ['f(a,', 'call f(a, b) with (parens)'],
    ['(parens', 'call f(a, b) with (parens)'],
    ['AND NOT', 'AND NOT the operators'],
    ['^caret', 'weird ^caret and {braces} and [brackets]'],
    ['{braces}', 'weird ^caret and {braces} and [brackets]'],
    ["o'clock", "it's o'clock"],
    ['x+y=z', 'x+y=z arithmetic'],
    ['path/to/file.ts', 'path/to/file.ts line 10'],
    ['"unclosed', ''],
    ['NOT', 'AND NOT the operators'],
  ];

  it.each(cases)('searching %j neither throws nor loses the literal match', (query, expected) => {
    seed({ syntax: stored });
    const texts = fx.store.search(query).map((h) => h.snippet.map((p) => p.text).join(''));
    if (expected) expect(texts).toContain(expected);
    else expect(texts).toEqual([]);
  });

  it('quotes each word and doubles inner quotes', () => {
    expect(parseQuery('foo"bar NEAR(', false)?.fts).toBe('"foo""bar" "NEAR("');
    expect(parseQuery('a OR b*')?.fts).toBe('"a" "OR" "b*"');
    expect(parseQuery('abc')?.fts).toBe('"abc"*');
    expect(parseQuery('* ( )')).toBeNull();
  });
});

describe('highlight', () => {
  it('flags words by their folded form and keeps the original text', () => {
    expect(highlight('Crème brûlée, CRÈME!', [{ text: 'creme', prefix: false }])).toEqual([
      { text: 'Crème', match: true },
      { text: ' brûlée, ', match: false },
      { text: 'CRÈME', match: true },
      { text: '!', match: false },
    ]);
  });

  it('picks the stretch holding the most distinct terms, not the first hit', () => {
    const text = `alpha ${'filler '.repeat(30)}alpha beta ${'filler '.repeat(30)}`;
    const parts = highlight(text, [{ text: 'alpha', prefix: false }, { text: 'beta', prefix: false }], 6);
    expect(parts.filter((p) => p.match).map((p) => p.text)).toEqual(['alpha', 'beta']);
    expect(parts[0]!.text.startsWith('…')).toBe(true);
  });

  it('marks a cut end with an ellipsis and keeps a short text whole', () => {
    expect(highlight(`needle ${'hay '.repeat(5000)}`, [{ text: 'needle', prefix: false }], 4).at(-1)).toEqual({ text: ' hay hay hay…', match: false });
    expect(highlight('a needle.', [{ text: 'needle', prefix: false }])).toEqual([
      { text: 'a ', match: false },
      { text: 'needle', match: true },
      { text: '.', match: false },
    ]);
  });

  it('shows the start of a text that has no match', () => {
    expect(highlight('nothing here', [{ text: 'zzz', prefix: false }])).toEqual([{ text: 'nothing here', match: false }]);
  });
});

describe('batched indexing', () => {
  /** Rows the index holds for a word, read from the index itself (store.search would index first). */
  const inIndex = (word: string): number => fx.db.prepare('SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?').pluck().get(word) as number;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('indexes new messages together shortly after they are stored, and at once when a search comes first', async () => {
    const c = fx.store.createConversation();
    fx.store.appendMessages(c.id, [{ role: 'user', content: 'quokka first' }]);
    fx.store.appendMessages(c.id, [{ role: 'assistant', content: 'quokka second' }]);
    expect(inIndex('quokka')).toBe(0);
    await pause(MESSAGE_INDEX_DELAY_MS + 150);
    expect(inIndex('quokka')).toBe(2);
    fx.store.appendMessages(c.id, [{ role: 'user', content: 'wombat' }]);
    expect(fx.store.search('wombat')).toHaveLength(1);
  });

  it('stays whole when messages not yet indexed are edited or deleted', () => {
    const kept = fx.store.createConversation();
    const gone = fx.store.createConversation();
    fx.store.appendMessages(kept.id, [{ role: 'user', content: 'platypus draft' }]);
    fx.store.appendMessages(gone.id, [{ role: 'user', content: 'platypus doomed' }]);
    fx.db.prepare("UPDATE messages SET content = 'platypus final' WHERE content = 'platypus draft'").run();
    fx.store.deleteConversation(gone.id);
    fx.store.indexPending();
    fx.db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
    expect(fx.store.search('platypus').map((h) => h.conversation_id)).toEqual([kept.id]);
    expect(inIndex('draft')).toBe(0);
    expect(inIndex('doomed')).toBe(0);
  });

  it('indexes what a previous run stored but had not indexed when it stopped', async () => {
    // Stored as a run that stopped before its index pass would have left it: in messages only.
    const c = fx.store.createConversation();
    fx.db
      .prepare("INSERT INTO messages (conversation_id, role, content, created_at) VALUES (?, 'user', 'numbat left behind', ?)")
      .run(c.id, new Date().toISOString());
    expect(inIndex('numbat')).toBe(0);
    fx.reopen();
    await pause(MESSAGE_INDEX_DELAY_MS + 150);
    expect(inIndex('numbat')).toBe(1);
  });
});
