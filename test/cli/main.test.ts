import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TerminalClient } from '../helpers/terminal-client.js';
import { tempDir } from '../helpers/temp.js';

const MAIN = join(process.cwd(), 'server', 'dist', 'main.js');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function cli(args: string[], env: Record<string, string> = {}): Cli {
  const home = tempDir();
  cleanups.push(home.remove);
  const child = spawn(process.execPath, [MAIN, '--no-open', ...args], {
    env: { ...process.env, ATELIER_HOME: home.dir, ATELIER_LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (err += c));
  cleanups.push(() => child.kill('SIGKILL'));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function readyUrl(c: Cli): Promise<URL> {
  for (let i = 0; i < 200; i++) {
    const m = c.stdout().match(/(http:\/\/\S+\/\?token=\S+)/);
    if (m) return new URL(m[1]!);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no URL printed; stderr: ${c.stderr()}`);
}

describe('CLI', () => {
  it('--port 0 picks a free port and prints the sign-in URL on 127.0.0.1', async () => {
    const c = cli(['--port', '0']);
    const url = await readyUrl(c);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    const health = await fetch(`${url.origin}/api/health`);
    expect(health.status).toBe(200);
    const info = await fetch(`${url.origin}/api/info`, { headers: { authorization: `Bearer ${url.searchParams.get('token')}` } });
    expect(info.status).toBe(200);
  });

  it('uses ATELIER_TOKEN and ATELIER_PORT from the environment', async () => {
    const token = 'env-token-0123456789abcdef';
    const probe = cli(['--port', '0']);
    const free = Number((await readyUrl(probe)).port);
    probe.child.kill('SIGTERM');
    await probe.exited;
    const c = cli([], { ATELIER_TOKEN: token, ATELIER_PORT: String(free) });
    const url = await readyUrl(c);
    expect(url.port).toBe(String(free));
    expect(url.searchParams.get('token')).toBe(token);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('shuts down cleanly on %s', async (signal) => {
    const c = cli(['--port', '0']);
    const url = await readyUrl(c);
    c.child.kill(signal);
    expect(await c.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${url.origin}/api/health`)).rejects.toThrow();
  });

  it('shuts down with an open terminal socket and kills its shell', async () => {
    const c = cli(['--port', '0']);
    const url = await readyUrl(c);
    const term = new TerminalClient(Number(url.port), url.searchParams.get('token')!);
    await term.init({ kind: 'local', shell: '/bin/sh' });
    term.input('echo "pid=$$"\r');
    await term.waitForOutput(/pid=\d+/);
    const pid = Number(term.output.match(/pid=(\d+)/)![1]);
    c.child.kill('SIGTERM');
    expect(await c.exited).toEqual({ code: 0, signal: null });
    expect((await term.waitForClose()).code).not.toBe(1000);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('kills running child processes on shutdown', async () => {
    // A fake `git` that hangs: the start-up tool scan runs it, shutdown must kill it.
    const bin = tempDir();
    cleanups.push(bin.remove);
    const pidFile = join(bin.dir, 'pid');
    writeFileSync(join(bin.dir, 'git'), `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 60\n`);
    chmodSync(join(bin.dir, 'git'), 0o755);
    const c = cli(['--port', '0'], { PATH: `${bin.dir}:${process.env.PATH}` });
    await readyUrl(c);
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    c.child.kill('SIGTERM');
    expect((await c.exited).code).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('refuses a non-loopback --host without --allow-remote', async () => {
    const c = cli(['--port', '0', '--host', '0.0.0.0']);
    expect((await c.exited).code).toBe(1);
    expect(c.stderr()).toMatch(/--allow-remote/);
  });

  it('refuses an invalid port with usage', async () => {
    const c = cli(['--port', '70000']);
    expect((await c.exited).code).toBe(2);
    expect(c.stderr()).toMatch(/invalid port/);
  });

  it('refuses an unknown flag with usage', async () => {
    const c = cli(['--bogus']);
    expect((await c.exited).code).toBe(2);
    expect(c.stderr()).toMatch(/Usage/);
  });

  it('refuses a port already in use with a clear message', async () => {
    const first = cli(['--port', '0']);
    const port = (await readyUrl(first)).port;
    const second = cli(['--port', port]);
    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toMatch(/already in use/);
  });

  it('refuses to start on a corrupt config.json with no generation, naming the file', async () => {
    const home = tempDir();
    cleanups.push(home.remove);
    writeFileSync(join(home.dir, 'config.json'), '{not json');
    const c = cli(['--port', '0'], { ATELIER_HOME: home.dir });
    expect((await c.exited).code).toBe(1);
    expect(c.stderr()).toContain(join(home.dir, 'config.json'));
    expect(readFileSync(join(home.dir, 'config.json'), 'utf8')).toBe('{not json');
  });

  it('never writes the token or API keys to its logs', async () => {
    const token = 'log-secret-token-0123456789';
    const c = cli(['--port', '0'], { ATELIER_TOKEN: token, ATELIER_LOG_LEVEL: 'debug' });
    const url = await readyUrl(c);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await fetch(`${url.origin}/?token=${token}`, { redirect: 'manual' });
    await fetch(`${url.origin}/api/config/provider`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ id: 'p', name: 'P', type: 'openai', base_url: 'http://127.0.0.1:9', api_key: 'sk-log-secret-key' }),
    });
    c.child.kill('SIGTERM');
    await c.exited;
    expect(c.stderr()).toContain('configuration changed');
    expect(c.stderr()).not.toContain(token);
    expect(c.stderr()).not.toContain('sk-log-secret-key');
  });
});
