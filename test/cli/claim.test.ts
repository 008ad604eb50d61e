// Starts racing for one home: exactly one may claim it (the others wait and show that one).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { atOnce } from '../helpers/at-once.js';
import { tempDir } from '../helpers/temp.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

const RUNTIME = pathToFileURL(join(process.cwd(), 'server', 'dist', 'cli', 'runtime.js')).href;

function runtimeFile(): { dir: string; file: string } {
  const t = tempDir();
  cleanups.push(t.remove);
  return { dir: t.dir, file: join(t.dir, 'runtime.json') };
}

describe('the start lock and the runtime file', () => {
  // One process creates and removes the file 3000 times; another reads it in a tight loop.
  const writers = {
    'the start lock': { create: 'claimStart(file)', remove: 'releaseStart(file)', path: 'file + ".lock"', whole: '/^[1-9][0-9]*$/.test(text)' },
    'the runtime file': {
      create: "(writeRuntime(file, { pid: process.pid, port: 1, url: 'http://127.0.0.1:1', sign_in_url: 'http://127.0.0.1:1/?token=t', started_at: '', version: '0' }), true)",
      remove: 'removeRuntime(file, process.pid)',
      path: 'file',
      whole: '(() => { try { return JSON.parse(text).pid > 0; } catch { return false; } })()',
    },
  };
  it.each(Object.entries(writers))('%s appears whole: a reader beside 3000 creations never finds it empty or half written', async (_, w) => {
    const { dir, file } = runtimeFile();
    const setup = `
      import { claimStart, releaseStart, writeRuntime, removeRuntime } from ${JSON.stringify(RUNTIME)};
      import { existsSync, readFileSync, writeFileSync } from 'node:fs';
      const file = ${JSON.stringify(file)}, done = ${JSON.stringify(join(dir, 'done'))}, path = ${w.path};
      function writer() {
        let created = 0;
        for (let i = 0; i < 3000; i++) if (${w.create}) { created++; ${w.remove}; }
        writeFileSync(done, '');
        return { created };
      }
      function reader() {
        let seen = 0, broken = 0;
        while (!existsSync(done)) {
          let text;
          try { text = readFileSync(path, 'utf8'); } catch { continue; }
          seen++;
          if (!(${w.whole})) broken++;
        }
        return { seen, broken };
      }`;
    const [writer, reader] = (await atOnce(2, setup, "process.env.AT_ONCE_INDEX === '0' ? writer() : reader()")) as [{ created: number }, { seen: number; broken: number }];
    expect(writer.created).toBe(3000);
    expect(reader.seen, 'the reader saw the file at all (the test can fail)').toBeGreaterThan(100);
    expect(reader.broken).toBe(0);
  });

  it('goes to exactly one of 6 processes claiming one home at once, and the lock holds its pid', async () => {
    for (let round = 0; round < 3; round++) {
      const { dir, file } = runtimeFile();
      // Each keeps running a moment after claiming, so the holder is alive while the others look.
      const setup = `import { claimStart } from ${JSON.stringify(RUNTIME)}; import { readFileSync } from 'node:fs';`;
      const act = `(() => { const won = claimStart(${JSON.stringify(file)}); const lock = readFileSync(${JSON.stringify(`${file}.lock`)}, 'utf8'); for (const end = Date.now() + 200; Date.now() < end; ); return { pid: process.pid, won, lock }; })()`;
      const results = (await atOnce(6, setup, act)) as { pid: number; won: boolean; lock: string }[];
      const winners = results.filter((r) => r.won);
      expect(winners, `round ${round}`).toHaveLength(1);
      for (const r of results) expect(r.lock, `round ${round}, pid ${r.pid}`).toBe(String(winners[0]!.pid));
      // The claimers' temp files are gone: only the lock is left.
      expect(readdirSync(dir)).toEqual(['runtime.json.lock']);
      expect(existsSync(file)).toBe(false);
    }
  });
});
