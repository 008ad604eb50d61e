import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, isAlive } from '../helpers/process.js';
import { tempDir } from '../helpers/temp.js';
import { readyUrl, runCli, spawnCli, type Cli } from './run.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((f) => f()));

function home(): string {
  const t = tempDir();
  cleanups.push(t.remove);
  return t.dir;
}

function serve(dir: string, args: string[] = []): Cli {
  const c = spawnCli(['--no-open', '--port', '0', ...args], { ATELIER_HOME: dir });
  cleanups.push(() => c.child.kill('SIGKILL'));
  return c;
}

const runtimeFile = (dir: string): string => join(dir, 'runtime.json');

describe('one instance per home', () => {
  it('writes a 0600 runtime file with pid, port, URL with token, start time and version', async () => {
    const dir = home();
    const c = serve(dir);
    const url = await readyUrl(c);
    expect(statSync(runtimeFile(dir)).mode & 0o777).toBe(0o600);
    const info = JSON.parse(readFileSync(runtimeFile(dir), 'utf8'));
    expect(info).toMatchObject({ pid: c.child.pid, port: Number(url.port), url: url.origin, sign_in_url: url.href, version: expect.any(String) });
    expect(Date.parse(info.started_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('a second start prints the first one\'s URL and exits 0; url prints it; stop stops it and removes the runtime file', async () => {
    const dir = home();
    const first = serve(dir);
    const url = await readyUrl(first);

    const second = await runCli(['--no-open'], { ATELIER_HOME: dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(url.href);
    expect(second.stdout).toMatch(/already running/);

    const printed = await runCli(['url'], { ATELIER_HOME: dir });
    expect(printed).toMatchObject({ code: 0, stdout: `${url.href}\n` });

    const stopped = await runCli(['stop'], { ATELIER_HOME: dir });
    expect(stopped.code).toBe(0);
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(runtimeFile(dir))).toBe(false);
    await expect(fetch(`${url.origin}/api/health`)).rejects.toThrow();
  });

  it('removes the runtime file when stopped with SIGINT', async () => {
    const dir = home();
    const c = serve(dir);
    await readyUrl(c);
    c.child.kill('SIGINT');
    expect((await c.exited).code).toBe(0);
    expect(existsSync(runtimeFile(dir))).toBe(false);
  });

  it('detects the runtime file of a server killed with SIGKILL as stale and replaces it', async () => {
    const dir = home();
    const killed = serve(dir);
    await readyUrl(killed);
    const deadPid = killed.child.pid!;
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(await eventually(() => !isAlive(deadPid))).toBe(true);
    expect(JSON.parse(readFileSync(runtimeFile(dir), 'utf8')).pid).toBe(deadPid);

    const next = serve(dir);
    const url = await readyUrl(next);
    expect(next.stderr()).toMatch(/replacing .*runtime\.json: pid \d+ that wrote it is gone/);
    expect(JSON.parse(readFileSync(runtimeFile(dir), 'utf8'))).toMatchObject({ pid: next.child.pid, sign_in_url: url.href });
  });

  it('url, open and stop exit 1 with one line when no instance runs', async () => {
    const dir = home();
    for (const command of ['url', 'stop', 'open']) {
      const r = await runCli([command], { ATELIER_HOME: dir });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^atelier: no Atelier is running/)]);
    }
  });

  it('refuses a runtime file with garbage in one line naming it, and leaves it as it was', async () => {
    const dir = home();
    writeFileSync(runtimeFile(dir), 'not json {');
    for (const args of [['--no-open', '--port', '0'], ['url'], ['stop']]) {
      const r = await runCli(args, { ATELIER_HOME: dir });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(runtimeFile(dir));
    }
    expect(readFileSync(runtimeFile(dir), 'utf8')).toBe('not json {');
  });

  it('two starts at once with one home leave one server; the other prints its URL and exits 0', async () => {
    const dir = home();
    const [a, b] = [serve(dir), serve(dir)];
    const first = await Promise.race([a.exited.then(() => a), b.exited.then(() => b)]);
    const survivor = first === a ? b : a;
    expect((await first.exited).code, first.stderr()).toBe(0);
    const url = await readyUrl(survivor);
    expect(first.stdout()).toContain(`already running (pid ${survivor.child.pid}): ${url.href}`);
    expect(JSON.parse(readFileSync(runtimeFile(dir), 'utf8')).pid).toBe(survivor.child.pid);
  });

  it('doctor passes the port check when an Atelier with another home answers on that port', async () => {
    const c = serve(home());
    const port = (await readyUrl(c)).port;
    const r = await runCli(['doctor', '--port', port], { ATELIER_HOME: home() });
    expect(r.stdout).toMatch(new RegExp(`^ok +port +an Atelier instance \\(.+\\) answers on 127\\.0\\.0\\.1:${port}`, 'm'));
    expect(r.code, r.stdout).toBe(0);
  });
});
