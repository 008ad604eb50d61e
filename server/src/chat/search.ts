import type Database from 'better-sqlite3';
import { CONVERSATION_SEARCH_MAX_TERMS, CONVERSATION_SNIPPET_TOKENS } from '../limits.js';
import type { ChatRole, SearchHit, SnippetPart } from '../wire/chat.js';

/**
 * How many of the newest matching messages bm25 ranks. Past one pass over each word's postings
 * (its IDF, ~2.5 ms for a word in most messages), bm25 costs 1–4 µs per ranked match, so ranking
 * a word found in 80 000 of 100 000 messages whole took ~60 ms. A selective query (< 500
 * matches) is ranked over all of them, a common one over its newest 500: recent talk is what a
 * common word most likely means to find, and 500 candidates are plenty for a page of 20.
 */
const RANK_WINDOW = 500;
/**
 * The last word also matches as a prefix (search as you type) from this length, and only when
 * it is not a stored word itself: a prefix query merges the doclists of every word it expands
 * to up front (~20 ms when one is in most messages), an exact word streams.
 */
const PREFIX_MIN_CHARS = 3;
/** A title or summary hit outranks a message hit of equal bm25: naming the topic is the stronger signal. */
const TITLE_SCORE_WEIGHT = 2;
/** Highlighting reads at most this much of a message (~3 000 words, ~1 ms); a match past it in a pasted log shows the start instead. */
const HIGHLIGHT_SCAN_CHARS = 20_000;
/** Longest run of non-word text a snippet shows between two words. */
const GAP_MAX_CHARS = 80;

// The tokenizer's rules (unicode61): letters, digits and private-use characters make words;
// combining marks belong to their letter and fold away with remove_diacritics.
const WORD_CHAR = /[\p{L}\p{N}\p{Co}]/u;
const WORD = /[\p{L}\p{N}\p{Co}\p{M}]+/gu;
const NON_ASCII = /[^\x00-\x7f]/;

/** One word of a query as the index knows it (folded), and whether it matches as a prefix. */
export interface QueryTerm {
  text: string;
  prefix: boolean;
}

/** A query for FTS5 plus the folded terms used to highlight matches. */
export interface ParsedQuery {
  fts: string;
  terms: QueryTerm[];
  /** The last word alone, quoted, exact: whether it is a whole stored word decides prefix matching. */
  lastWord: string;
  /** The last word is long enough to be typed-so-far prefix and `fts` matches it as one. */
  prefix: boolean;
}

/** Folds a word as `unicode61 remove_diacritics 2` does: no accents, lower case. */
export function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * User text → an FTS5 query that cannot be FTS syntax: each whitespace-separated word becomes
 * a quoted string (inner quotes doubled), so operators, column filters, `*`, `(` and `-` are
 * literal text that the tokenizer splits like stored text — `col:val` finds "col:val". All
 * words must match; with `prefixLast`, the last one (if ≥ PREFIX_MIN_CHARS) also as a prefix.
 * Null when nothing in the text is searchable.
 */
export function parseQuery(text: string, prefixLast = true): ParsedQuery | null {
  const words = text.split(/\s+/).filter((w) => WORD_CHAR.test(w)).slice(0, CONVERSATION_SEARCH_MAX_TERMS);
  if (words.length === 0) return null;
  const quote = (w: string): string => `"${w.replaceAll('"', '""')}"`;
  const terms: QueryTerm[] = [];
  let prefix = false;
  const parts = words.map((word, i) => {
    const folded = (word.match(WORD) ?? []).map(fold).filter(Boolean);
    const isLast = i === words.length - 1;
    if (isLast) prefix = prefixLast && (folded.at(-1)?.length ?? 0) >= PREFIX_MIN_CHARS;
    folded.forEach((t, j) => terms.push({ text: t, prefix: isLast && prefix && j === folded.length - 1 }));
    return `${quote(word)}${isLast && prefix ? '*' : ''}`;
  });
  return { fts: parts.join(' '), terms, lastWord: quote(words.at(-1)!), prefix };
}

/** Folds like `fold`, skipping Unicode normalisation for plain ASCII (most words; 5× faster). */
function foldFast(word: string): string {
  return NON_ASCII.test(word) ? fold(word) : word.toLowerCase();
}

/**
 * The stretch of `text` (CONVERSATION_SNIPPET_TOKENS words) with the most distinct query
 * terms, as parts with the matching words flagged — what FTS5's snippet() does, in JS so it
 * runs only for the hits returned (snippet() re-reads every doclist once per row). Reading
 * stops at the first stretch holding every term, so a long message costs no more than a short one.
 */
export function highlight(text: string, terms: readonly QueryTerm[], windowWords = CONVERSATION_SNIPPET_TOKENS): SnippetPart[] {
  const exact = new Set(terms.filter((t) => !t.prefix).map((t) => t.text));
  const prefixes = terms.filter((t) => t.prefix).map((t) => t.text);
  const wanted = new Set(terms.map((t) => t.text)).size;
  const termOf = (word: string): string | null => {
    const folded = foldFast(word);
    return exact.has(folded) ? folded : (prefixes.find((p) => folded.startsWith(p)) ?? null);
  };

  const scanned = text.slice(0, HIGHLIGHT_SCAN_CHARS);
  // The shared regex (compiling a fresh copy per call costs more than the scan); never re-entered.
  const re = WORD;
  re.lastIndex = 0;
  const words: { start: number; end: number; term: string | null }[] = [];
  const pending: number[] = [];
  let best = 0;
  let bestScore = -1;
  const evaluate = (start: number): void => {
    const hits = words.slice(start, start + windowWords).flatMap((w) => (w.term === null ? [] : [w.term]));
    const score = new Set(hits).size * 1000 + hits.length;
    if (score > bestScore) [best, bestScore] = [start, score];
  };
  let more = false;
  let lastCandidate = -Infinity;
  for (let m = re.exec(scanned); m !== null; m = re.exec(scanned)) {
    if (bestScore >= wanted * 1000 && words.length >= best + windowWords) {
      more = true;
      break;
    }
    const term = termOf(m[0]);
    words.push({ start: m.index, end: m.index + m[0].length, term });
    // A candidate stretch starts a couple of words before a hit, for context; hits close after
    // the previous candidate's start are already inside it.
    const start = Math.max(0, words.length - 1 - Math.min(2, Math.floor((windowWords - 1) / 2)));
    if (term !== null && !(start - lastCandidate < windowWords / 2)) {
      pending.push(start);
      lastCandidate = start;
    }
    while (pending.length > 0 && words.length >= pending[0]! + windowWords) evaluate(pending.shift()!);
  }
  for (const start of pending) evaluate(Math.max(0, Math.min(start, words.length - windowWords)));
  if (words.length === 0) return text ? [{ text: oneLine(text.slice(0, 200)), match: false }] : [];

  const shown = words.slice(best, best + windowWords);
  const last = !more && best + shown.length >= words.length && scanned.length === text.length;
  const parts: SnippetPart[] = [];
  const push = (s: string, match: boolean): void => {
    if (!s) return;
    const prev = parts.at(-1);
    if (prev && prev.match === match) prev.text += s;
    else parts.push({ text: s, match });
  };
  let at = best === 0 ? 0 : shown[0]!.start;
  if (best > 0) push('…', false);
  for (const w of shown) {
    push(oneLine(text.slice(at, w.start)), false);
    push(text.slice(w.start, w.end), w.term !== null);
    at = w.end;
  }
  push(last ? oneLine(text.slice(at)) : '…', false);
  return parts;
}

/** Text between words on one line; a long run of symbols is cut (it is never what was searched for). */
function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ');
  return line.length <= GAP_MAX_CHARS ? line : `${line.slice(0, GAP_MAX_CHARS)}…`;
}

interface RankedMessage {
  id: number;
  score: number;
  conversation_id: string;
  role: ChatRole;
  content: string;
  created_at: string;
  title: string;
}

interface RankedConversation {
  id: string;
  score: number;
  title: string;
  summary: string | null;
  updated_at: string;
}

/** Ranked full-text search over messages (user and assistant) and conversation titles and summaries. */
export class ConversationSearch {
  readonly #anyMessage: Database.Statement;
  readonly #rankMessages: Database.Statement;
  readonly #rankConversations: Database.Statement;

  constructor(db: Database.Database) {
    this.#anyMessage = db.prepare('SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? LIMIT 1').pluck();
    // The window is walked newest first (FTS5 starts at the end of each doclist; an ascending
    // `rowid >= n` would read every older entry first). bm25() is an expression sorted by
    // SQLite: ~10× cheaper here than FTS5's own ORDER BY rank, and snippets are made in JS.
    this.#rankMessages = db.prepare(
      `SELECT m.id, r.score, m.conversation_id, m.role, m.content, m.created_at, c.title
       FROM (SELECT rowid, score FROM (SELECT rowid, -bm25(messages_fts) AS score FROM messages_fts
                                        WHERE messages_fts MATCH @query ORDER BY rowid DESC LIMIT @window)
             ORDER BY score DESC LIMIT @limit) r
       JOIN messages m ON m.id = r.rowid JOIN conversations c ON c.id = m.conversation_id
       ORDER BY r.score DESC`,
    );
    this.#rankConversations = db.prepare(
      `SELECT c.id, r.score, c.title, c.summary, c.updated_at
       FROM (SELECT rowid, -bm25(conversations_fts) AS score FROM conversations_fts
             WHERE conversations_fts MATCH @query ORDER BY score DESC LIMIT @limit) r
       JOIN conversation_keys k ON k.key = r.rowid JOIN conversations c ON c.id = k.conversation_id
       ORDER BY r.score DESC`,
    );
  }

  /** The best `limit` hits for plain-words `text`, best first; [] when it has nothing searchable. */
  search(text: string, limit: number): SearchHit[] {
    const typed = parseQuery(text);
    if (!typed) return [];
    const parsed = typed.prefix && this.#anyMessage.get(typed.lastWord) !== undefined ? parseQuery(text, false)! : typed;
    const query = parsed.fts;
    const messages = this.#rankMessages.all({ query, window: RANK_WINDOW, limit }) as RankedMessage[];
    const conversations = this.#rankConversations.all({ query, limit }) as RankedConversation[];
    const hits: SearchHit[] = [
      ...conversations.map((c) => {
        const inTitle = highlight(c.title, parsed.terms);
        const snippet = inTitle.some((p) => p.match) || !c.summary ? inTitle : highlight(c.summary, parsed.terms);
        return { conversation_id: c.id, title: c.title, message_id: null, role: null, snippet, created_at: c.updated_at, score: c.score * TITLE_SCORE_WEIGHT };
      }),
      ...messages.map((m) => ({
        conversation_id: m.conversation_id,
        title: m.title,
        message_id: m.id,
        role: m.role,
        snippet: highlight(m.content, parsed.terms),
        created_at: m.created_at,
        score: m.score,
      })),
    ];
    return hits.sort((a, b) => b.score - a.score).slice(0, limit);
  }
}
