// Permission engine benchmark (issue 16).
// (a) Policy decision time per command: decide() over every command of the corpus
//     (test/permissions/corpus.mjs) under the custom rule set, each command the median of
//     ROUNDS rounds (as in search.mjs: this 2-core box is shared and noisy), then p50/p99/max
//     over the commands; every single call's p99 is reported too. Target: p99 ≤ 0.2 ms.
// (b) Added latency of an allowed tool call: Permissions.authorize() (engine, "allow always"
//     suggestions, the SQLite audit row) for a read_file of a small file inside home, against
//     the read_file call itself, interleaved call by call. Target: authorize p99 ≤ 1 ms.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CORPUS, CUSTOM_RULES, makeCorpusHome } from '../permissions/corpus.mjs';
import { percentile, round } from './stats.mjs';

const WARMUP_ROUNDS = 3;
const ROUNDS = 7;
const TOOL_CALLS = 2000;
const TOOL_WARMUP = 200;
const TARGET_DECISION_P99_MS = 0.2;
const TARGET_AUTHORIZE_P99_MS = 1;

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const summary = (samples, digits = 3) => ({ p50: round(percentile(samples, 50), digits), p99: round(percentile(samples, 99), digits), max: round(Math.max(...samples), digits) });

/** Runs both measurements, prints them and returns the figures. */
export async function benchPermissions({ distDir = fileURLToPath(new URL('../../server/dist/', import.meta.url)) } = {}) {
  const load = (p) => import(pathToFileURL(join(distDir, p)).href);
  const { decide } = await load('permissions/engine.js');
  const { Permissions } = await load('permissions/service.js');
  const { permissionMigrations } = await load('permissions/audit.js');
  const { openDatabase, migrate } = await load('db/database.js');
  const { ConfigStore } = await load('config/store.js');
  const { createLogger } = await load('logger.js');
  const { Lifecycle } = await load('lifecycle.js');
  const { createToolbox } = await load('tools/registry.js');

  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-permissions-'));
  const savedHome = process.env.HOME;
  const lifecycle = new Lifecycle();
  try {
    const h = makeCorpusHome(dir);
    // `~` in the corpus is the corpus home, as the server's home is its own.
    process.env.HOME = h.home;

    // (a) decide() per command.
    const call = (command) => ({ tool: 'terminal', args: { command }, mode: 'ask', rules: CUSTOM_RULES, home: h.home, cwd: h.project, projectDir: h.project, env: h.env });
    for (let r = 0; r < WARMUP_ROUNDS; r++) for (const c of CORPUS) await decide(call(c.command));
    const perCommand = CORPUS.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, c] of CORPUS.entries()) {
        const t = process.hrtime.bigint();
        await decide(call(c.command));
        perCommand[i].push(ms(t));
      }
    }
    const medians = perCommand.map((ts) => percentile(ts, 50));
    const slowest = medians
      .map((m, i) => [m, CORPUS[i].command])
      .sort((a, b) => b[0] - a[0])
      .slice(0, 5)
      .map(([m, command]) => ({ ms: round(m, 3), command: command.length > 70 ? `${command.slice(0, 69)}…` : command }));

    // (b) authorize() against the tool call it guards.
    const log = createLogger({ level: 'silent' });
    const config = ConfigStore.open(join(dir, 'config'), log);
    const db = openDatabase(join(dir, 'atelier.db'));
    migrate(db, permissionMigrations);
    const permissions = new Permissions({ config, db, log, home: () => h.home });
    const toolbox = createToolbox({ config, lifecycle, log, rootDir: fileURLToPath(new URL('../../', import.meta.url)) }, { root: () => h.home });
    const file = join(h.project, 'small.txt');
    writeFileSync(file, 'a small file\n'.repeat(20));
    const args = { path: file };
    const authorizeOnce = async () => {
      const verdict = await permissions.authorize({ tool: 'read_file', args, source: 'tool_call', onAsk: 'allow' });
      if (!verdict.allowed || verdict.decision.decision !== 'allow') throw new Error(`read_file inside home was not allowed: ${verdict.decision.reason}`);
    };
    const toolOnce = async () => {
      const result = await toolbox.call('read_file', args);
      if (result.is_error) throw new Error(`read_file failed: ${result.content}`);
    };
    const authorizeMs = [];
    const toolMs = [];
    const throughMs = [];
    for (let i = 0; i < TOOL_WARMUP + TOOL_CALLS; i++) {
      let t = process.hrtime.bigint();
      await toolOnce();
      const tool = ms(t);
      t = process.hrtime.bigint();
      await authorizeOnce();
      const auth = ms(t);
      await toolOnce();
      const through = ms(t);
      if (i >= TOOL_WARMUP) {
        toolMs.push(tool);
        authorizeMs.push(auth);
        throughMs.push(through);
      }
    }
    db.close();

    const result = {
      decision_ms: { commands: CORPUS.length, rounds: ROUNDS, ...summary(medians), every_call: summary(perCommand.flat()), target_p99_ms: TARGET_DECISION_P99_MS },
      allowed_tool_call_ms: {
        calls: TOOL_CALLS,
        tool: summary(toolMs),
        authorize: summary(authorizeMs),
        tool_through_engine: summary(throughMs),
        added_p50_ratio: round(percentile(authorizeMs, 50) / percentile(toolMs, 50), 2),
        added_p99_ratio: round(percentile(authorizeMs, 99) / percentile(toolMs, 99), 2),
        target_authorize_p99_ms: TARGET_AUTHORIZE_P99_MS,
      },
    };
    console.log(`permissions: decide() over the ${CORPUS.length}-command corpus (custom rules), median of ${ROUNDS} rounds per command; target p99 ≤ ${TARGET_DECISION_P99_MS} ms`);
    console.table({ 'per command (median)': { p50: result.decision_ms.p50, p99: result.decision_ms.p99, max: result.decision_ms.max }, 'every call': result.decision_ms.every_call });
    console.log('  slowest commands (median ms):');
    console.table(slowest);
    console.log(`permissions: an allowed read_file of a small file, ${TOOL_CALLS} calls interleaved; target authorize p99 ≤ ${TARGET_AUTHORIZE_P99_MS} ms`);
    console.table({ 'read_file alone': result.allowed_tool_call_ms.tool, 'authorize (engine + audit)': result.allowed_tool_call_ms.authorize, 'authorize + read_file': result.allowed_tool_call_ms.tool_through_engine });
    console.log(`  the engine adds ×${result.allowed_tool_call_ms.added_p50_ratio} of the tool call at p50, ×${result.allowed_tool_call_ms.added_p99_ratio} at p99`);
    return result;
  } finally {
    if (savedHome === undefined) delete process.env.HOME;
    else process.env.HOME = savedHome;
    await lifecycle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { buildIfStale } = await import('../../scripts/build.mjs');
  buildIfStale();
  await benchPermissions();
}
