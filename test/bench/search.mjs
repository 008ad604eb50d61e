// Conversation search benchmark: ChatStore.search over 100 000 stored messages (SQLite FTS5),
// p50/p95/p99 of 200 varied queries (each the median of 3 rounds). Target (issue 4): p95 ≤ 10 ms.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentile, round } from './stats.mjs';

const MESSAGES = 100_000;
const MESSAGES_PER_CONVERSATION = 50;
const SEARCHES = 200;
const WARMUP_SEARCHES = 20;
/** Every query runs once per round and its median is kept: this 2-core box is shared and noisy (as in terminal.mjs). */
const ROUNDS = 3;
const RESULT_LIMIT = 20;
const TARGET_P95_MS = 10;
const SEED = 0x5eed;

/** Everyday English, ordered roughly by frequency (the Zipf draw favours the head). */
const COMMON = `the of and to a in is it you that he was for on are with as I his they be at one have this from or had by
not word but what some we can out other were all there when up use your how said an each she which do their time if will
way about many then them write would like so these her long make thing see him two has look more day could go come did
number sound no most people my over know water than call first who may down side been now find any new work part take get
place made live where after back little only round man year came show every good me give our under name very through just
form sentence great think say help low line differ turn cause much mean before move right boy old too same tell does set
three want air well also play small end put home read hand port large spell add even land here must big high such follow
act why ask men change went light kind off need house picture try us again animal point mother world near build self earth
father head stand own page should country found answer school grow study still learn plant cover food sun four between state
keep eye never last let thought city tree cross farm hard start might story saw far sea draw left late run while press close
night real life few north open seem together next white children begin got walk example ease paper group always music those
both mark often letter until mile river car feet care second book carry took science eat room friend began idea fish mountain
stop once base hear horse cut sure watch color face wood main enough plain girl usual young ready above ever red list though
feel talk bird soon body dog family direct pose leave song measure door product black short numeral class wind question happen
complete ship area half rock order fire south problem piece told knew pass since top whole king space heard best hour better
true during hundred five remember step early hold west ground interest reach fast verb sing listen six table travel less morning`.split(/\s+/);

/** What a developer's chat is about. */
const TECH = `function variable const let return async await promise callback error exception stack trace debug breakpoint
compile build deploy docker container image kubernetes pod service ingress nginx proxy server client request response header
cookie token session auth oauth jwt password hash salt encrypt decrypt certificate tls ssl https http websocket socket stream
buffer chunk pipe process thread worker queue cache redis postgres sqlite mysql query index table column row migration schema
transaction commit rollback git branch merge rebase conflict push pull remote origin main master tag release version semver
npm yarn pnpm package dependency module import export typescript javascript python rust golang java kotlin swift ruby php
bash zsh shell terminal command argument flag option config yaml json toml env path directory file folder symlink permission
chmod chown sudo user group kernel linux macos windows wsl ssh key agent tunnel port firewall dns host domain latency throughput
memory cpu disk network bandwidth benchmark profile flamegraph regression test unit integration e2e mock fixture assertion
coverage lint format prettier eslint vitest jest playwright browser chrome firefox safari dom render component state props
svelte react vue angular css html layout flexbox grid animation accessibility i18n locale translation unicode utf8 emoji
regex parser tokenizer lexer ast compiler interpreter runtime garbage collector heap allocation leak pointer reference
refactor rename extract inline abstraction interface class method constructor inheritance composition pattern singleton
factory observer iterator generator closure scope hoisting recursion algorithm sort search binary tree graph hash map set
array list vector matrix tensor model llm prompt completion embedding vector context window temperature tool call agent`.split(/\s+/);

/** A seeded PRNG (mulberry32) so every run stores and searches the same text. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Vocabulary: common words, tech words, then invented ones (names, identifiers) for a long tail. */
function vocabulary(rand) {
  const syllables = 'ka ri to ne mu sa lo vi da pe zu ga chi fo ben tar mel quin dor xa yel'.split(' ');
  const invented = [];
  for (let i = 0; i < 20_000; i++) {
    let w = '';
    const n = 2 + Math.floor(rand() * 3);
    for (let j = 0; j < n; j++) w += syllables[Math.floor(rand() * syllables.length)];
    invented.push(w);
  }
  const interleaved = [];
  for (let i = 0; i < Math.max(COMMON.length, TECH.length); i++) {
    if (COMMON[i]) interleaved.push(COMMON[i]);
    if (TECH[i]) interleaved.push(TECH[i]);
  }
  return [...interleaved, ...invented];
}

/** Draws word ranks with a Zipf-like law (s ≈ 1), as natural text does. */
function zipfDraw(rand, size) {
  const logSize = Math.log(size + 1);
  return () => Math.min(size - 1, Math.floor(Math.exp(rand() * logSize)) - 1);
}

function message(rand, words, draw) {
  const length = Math.max(3, Math.floor(Math.exp(2 + rand() * 3.2))); // 7 … 180 words, skewed short
  const out = [];
  for (let i = 0; i < length; i++) {
    const r = rand();
    const w = words[draw()];
    if (r < 0.02) out.push(`${w}_${words[draw()]}`);
    else if (r < 0.03) out.push(`/home/dev/${w}/${words[draw()]}.ts`);
    else if (r < 0.04) out.push(String(Math.floor(rand() * 10_000)));
    else if (r < 0.05) out.push(`${w}:${words[draw()]}`);
    else out.push(w);
    if (rand() < 0.08) out[out.length - 1] += rand() < 0.5 ? '.' : ',';
  }
  return out.join(' ');
}

/** 200 queries of the kinds people type: one or two words, common or rare, prefixes, punctuation, misses. */
function queries(rand, words, draw) {
  const pick = () => words[draw()];
  const rare = () => words[200 + Math.floor(rand() * (words.length - 200))];
  const kinds = [
    () => pick(),
    () => `${pick()} ${pick()}`,
    () => rare(),
    () => `${pick()} ${rare()}`,
    () => pick().slice(0, 3 + Math.floor(rand() * 3)),
    () => `${pick()}:${pick()}`,
    () => `${pick()} OR "${pick()}`,
    () => `${pick()} ${pick()} ${pick()}`,
    () => 'zzqx nothingmatches',
    () => `-${pick()} NEAR(`,
  ];
  return Array.from({ length: WARMUP_SEARCHES + SEARCHES }, (_, i) => kinds[i % kinds.length]());
}

/** Fills a temporary database with MESSAGES messages, runs SEARCHES searches, prints and returns the percentiles. */
export async function benchSearch({ distDir = fileURLToPath(new URL('../../server/dist/', import.meta.url)) } = {}) {
  const load = (p) => import(pathToFileURL(join(distDir, p)).href);
  const { openDatabase, migrate } = await load('db/database.js');
  const { chatMigrations } = await load('chat/migrations.js');
  const { ChatStore } = await load('chat/store.js');

  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-search-'));
  try {
    const db = openDatabase(join(dir, 'atelier.db'));
    migrate(db, chatMigrations);
    const store = new ChatStore(db, join(dir, 'images'));
    const rand = prng(SEED);
    const words = vocabulary(rand);
    const draw = zipfDraw(rand, words.length);

    const fillStart = performance.now();
    for (let c = 0; c < MESSAGES / MESSAGES_PER_CONVERSATION; c++) {
      const { id } = store.createConversation({ title: `${words[draw()]} ${words[draw()]} ${words[draw()]}`, provider_id: 'bench', model: 'm' });
      const batch = Array.from({ length: MESSAGES_PER_CONVERSATION }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: message(rand, words, draw) }));
      store.appendMessages(id, batch);
    }
    const fillMs = performance.now() - fillStart;
    db.pragma('wal_checkpoint(TRUNCATE)');

    const all = queries(rand, words, draw);
    for (const q of all.slice(0, WARMUP_SEARCHES)) store.search(q, RESULT_LIMIT);
    const measured = all.slice(WARMUP_SEARCHES);
    const timings = measured.map(() => []);
    let hits = 0;
    for (let pass = 0; pass < ROUNDS; pass++) {
      for (const [i, q] of measured.entries()) {
        const t = process.hrtime.bigint();
        const found = store.search(q, RESULT_LIMIT);
        timings[i].push(Number(process.hrtime.bigint() - t) / 1e6);
        if (pass === 0) hits += found.length;
      }
    }
    const samples = timings.map((ts) => percentile(ts, 50));
    const result = {
      messages: MESSAGES,
      searches: SEARCHES,
      rounds: ROUNDS,
      p50_ms: round(percentile(samples, 50), 3),
      p95_ms: round(percentile(samples, 95), 3),
      p99_ms: round(percentile(samples, 99), 3),
      max_ms: round(Math.max(...samples), 3),
      mean_hits: round(hits / SEARCHES, 1),
      fill_s: round(fillMs / 1000, 1),
      db_mb: round(statSync(join(dir, 'atelier.db')).size / 1e6, 1),
      target_p95_ms: TARGET_P95_MS,
    };
    db.close();
    console.log(`search: ChatStore.search over ${MESSAGES} messages, ${SEARCHES} queries (limit ${RESULT_LIMIT}), median of ${ROUNDS} rounds each`);
    console.table({ ms: { p50: result.p50_ms, p95: result.p95_ms, p99: result.p99_ms, max: result.max_ms } });
    console.log(`  filled in ${result.fill_s} s, database ${result.db_mb} MB, ${result.mean_hits} hits per query on average`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { buildIfStale } = await import('../../scripts/build.mjs');
  buildIfStale();
  await benchSearch();
}
