import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapPool } from '../../server/src/map-pool.js';
import { scanTool, scanTools } from '../../server/src/system/scanner.js';
import { eventually, fakeTool, isAlive, scratchDir, specs } from './fixtures.js';

describe('tool scanner', () => {
  it('finds git and node on this machine, node at the version `node --version` prints', async () => {
    const scan = await scanTools(specs('git', 'node'));
    const [git, node] = scan.tools;
    expect(git).toMatchObject({ id: 'git', found: true, error: null, version: expect.stringMatching(/^\d+\.\d+/) });
    expect(node).toMatchObject({ id: 'node', found: true, error: null });
    expect(node!.version).toBe(execFileSync('node', ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, ''));
    expect(node!.path).toMatch(/node(\.exe)?$/);
  });

  it('reports a tool missing from PATH as not found, without an error', async () => {
    const tool = await scanTool(specs('atelier-missing-tool')[0]!, { env: { PATH: scratchDir() } });
    expect(tool).toEqual({ id: 'atelier-missing-tool', name: 'atelier-missing-tool', category: 'test', found: false, path: null, version: null, error: null, homepage: 'https://example.com' });
  });

  it('reports a tool that outlives the timeout as found, with a timeout error, and kills it', async () => {
    const dir = scratchDir();
    fakeTool(dir, 'sleepy', `echo $$ > ${dir}/pid\nexec sleep 30`);
    const tool = await scanTool(specs('sleepy')[0]!, { env: { PATH: `${dir}:${process.env.PATH}` }, timeoutMs: 300 });
    expect(tool).toMatchObject({ found: true, path: join(dir, 'sleepy'), version: null, error: expect.stringMatching(/timed out after 300 ms/) });
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    expect(await eventually(() => !isAlive(pid))).toBe(true);
  });

  it('reports a tool that exits non-zero without a version', async () => {
    const dir = scratchDir();
    fakeTool(dir, 'broken', 'echo "unknown flag" >&2\nexit 3');
    const tool = await scanTool(specs('broken')[0]!, { env: { PATH: dir } });
    expect(tool).toMatchObject({ found: true, version: null, error: 'exited with code 3: unknown flag' });
  });

  it('reports a tool whose version command prints a version but exits 1 as found and broken, with its first line', async () => {
    // What `crush --version` does when its postinstall never downloaded the real binary.
    const dir = scratchDir();
    fakeTool(dir, 'crush', 'echo "crush 0.96.1"\necho "Please download from https://github.com/charmbracelet/crush/releases"\nexit 1');
    const tool = await scanTool(specs('crush')[0]!, { env: { PATH: `${dir}:${process.env.PATH}` } });
    expect(tool).toMatchObject({ found: true, path: join(dir, 'crush'), version: null, error: 'exited with code 1: crush 0.96.1' });
  });

  it('runs no more version commands at once than the concurrency limit', async () => {
    const dir = scratchDir();
    const log = join(dir, 'runs.log');
    const ids = ['t1', 't2', 't3', 't4', 't5', 't6'];
    for (const id of ids) fakeTool(dir, id, `echo "start $(date +%s%N)" >> ${log}\nsleep 0.3\necho "end $(date +%s%N)" >> ${log}\necho "${id} 1.0.0"`);
    const scan = await scanTools(specs(...ids), { env: { PATH: `${dir}:${process.env.PATH}` }, concurrency: 2 });
    expect(scan.tools.map((t) => t.version)).toEqual(ids.map(() => '1.0.0'));
    const events = readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' ') as ['start' | 'end', string]);
    // Ends sort before starts at the same instant: a slot freed and refilled is not an overlap.
    events.sort(([ka, ta], [kb, tb]) => (ta === tb ? (ka === 'end' ? -1 : 1) : BigInt(ta) < BigInt(tb) ? -1 : 1));
    let running = 0;
    let peak = 0;
    for (const [kind] of events) {
      running += kind === 'start' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBe(2);
  });

  it('reports progress once per tool, counting up to the total', async () => {
    const dir = scratchDir();
    for (const id of ['a', 'b', 'c']) fakeTool(dir, id, `echo "${id} 0.1.0"`);
    const seen: [number, number, string][] = [];
    await scanTools(specs('a', 'b', 'c'), { env: { PATH: dir }, onProgress: (p) => seen.push([p.done, p.total, p.tool.id]) });
    expect(seen.map(([done, total]) => [done, total])).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(seen.map(([, , id]) => id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('keeps the input order in pooled results whatever the completion order', async () => {
    const delays = [30, 0, 20, 10];
    const out = await mapPool(delays, 2, (ms, i) => new Promise<number>((r) => setTimeout(() => r(i), ms)));
    expect(out).toEqual([0, 1, 2, 3]);
  });
});
