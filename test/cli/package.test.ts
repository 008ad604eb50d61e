// The package as a user installs it: the real `npm pack` (its prepack builds), the tarball's
// contents, a production install from the npm registry into an empty prefix, then the installed
// `atelier` serving the studio, a terminal and a chat. Slow (an install compiles node-pty and
// better-sqlite3 when no prebuilt binary downloads): minutes, not seconds.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateStandin } from '../e2e/browser.js';
import { installTarball, PACKAGE, packTarball } from '../helpers/package-install.mjs';
import { startProviderStandin } from '../helpers/provider-standin.js';
import type { TestServer } from '../helpers/server.js';
import { readSse } from '../helpers/sse.js';
import { tempDir } from '../helpers/temp.js';
import { TerminalClient } from '../helpers/terminal-client.js';

const run = promisify(execFile);

/** Pack (a forced build of server and studio) plus an install that compiles native modules. */
const PACK_AND_INSTALL_TIMEOUT_MS = 10 * 60_000;
const TEST_TIMEOUT_MS = 60_000;
/** The budgets: the tarball as downloaded, and any one file in it (the largest today is the terminal page's bundle, ~430 kB). */
const MAX_PACKED_BYTES = 2 * 1024 * 1024;
const MAX_FILE_BYTES = 1024 * 1024;
const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'package-test-token-0123456789';

/** One entry of `tar tzvf`: path inside the tarball (without `package/`) and size. */
interface TarEntry {
  path: string;
  bytes: number;
}

const scratch = tempDir('atelier-package-');
let packedBytes = 0;
let entries: TarEntry[] = [];
let bin = '';
let packageDir = '';

beforeAll(async () => {
  const packed = await packTarball(join(scratch.dir, 'pack'));
  packedBytes = packed.packedBytes;
  expect(packed.tarball.endsWith(`${PACKAGE.name}-${PACKAGE.version}.tgz`)).toBe(true);
  const { stdout } = await run('tar', ['tzvf', packed.tarball], { maxBuffer: 16 * 1024 * 1024 });
  entries = stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('-'))
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      return { path: fields.slice(5).join(' ').replace(/^package\//, ''), bytes: Number(fields[2]) };
    });
  ({ bin, packageDir } = await installTarball(packed.tarball, join(scratch.dir, 'prefix')));
}, PACK_AND_INSTALL_TIMEOUT_MS);
afterAll(() => scratch.remove());

describe('the tarball', () => {
  it(`is at most ${MAX_PACKED_BYTES} bytes packed`, () => {
    expect(packedBytes).toBeGreaterThan(0);
    expect(packedBytes).toBeLessThanOrEqual(MAX_PACKED_BYTES);
  });

  it('holds no tests, no TypeScript sources or declarations and no source maps', () => {
    const paths = entries.map((e) => e.path);
    expect(paths.filter((p) => p.startsWith('test/') || p.includes('/test/'))).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.ts') || p.endsWith('.mts') || p.endsWith('.map'))).toEqual([]);
    expect(paths.filter((p) => p.startsWith('server/native/build/'))).toEqual([]);
    expect(paths.filter((p) => p.startsWith('scripts/') || p.startsWith('web/src/') || p.startsWith('node_modules/'))).toEqual([]);
  });

  it(`has no file over ${MAX_FILE_BYTES} bytes`, () => {
    expect(entries.filter((e) => e.bytes > MAX_FILE_BYTES)).toEqual([]);
  });

  it('holds what runs: the bin, the compiled server, the studio, themes, skills, README and LICENSE', () => {
    const paths = new Set(entries.map((e) => e.path));
    for (const path of ['package.json', 'README.md', 'LICENSE', 'bin/atelier.mjs', 'server/native/binding.gyp', 'server/native/release-memory.c', 'server/native/build.mjs', 'server/dist/main.js', 'server/dist/server.js', 'web/dist/index.html', 'themes/atelier-dark.json', 'skills/code-review/SKILL.md']) {
      expect(paths, path).toContain(path);
    }
  });

  it('holds every JSON data file under server/src, which the server reads at run time', () => {
    const json: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.json')) json.push(path);
      }
    };
    walk('server/src');
    expect(json.length).toBeGreaterThan(0);
    const paths = new Set(entries.map((e) => e.path));
    for (const path of json) expect(paths, path).toContain(path);
  });
});

describe('the production install', () => {
  it('has every dependency and no devDependency', () => {
    const modules = join(packageDir, 'node_modules');
    for (const name of Object.keys(PACKAGE.dependencies)) expect(existsSync(join(modules, name)), name).toBe(true);
    for (const name of Object.keys(PACKAGE.devDependencies)) expect(existsSync(join(modules, name)), name).toBe(false);
  });

  it('atelier --help exits 0 with the usage', async () => {
    const { stdout } = await run(bin, ['--help']);
    expect(stdout).toMatch(/^Usage: atelier/);
    expect(stdout).toContain('--port');
  });

  it("atelier --version prints package.json's version", async () => {
    const { stdout } = await run(bin, ['--version']);
    expect(stdout.trim()).toBe(PACKAGE.version);
  });

  it('atelier doctor finds the native modules and the studio it was installed with', async () => {
    const home = join(scratch.dir, 'doctor-home');
    mkdirSync(home);
    const { stdout } = await run(bin, ['doctor', '--port', '0', '--home', home]);
    for (const check of ['node-pty', 'better-sqlite3', 'ssh2', 'release-memory', 'studio']) expect(stdout).toMatch(new RegExp(`^ok\\s+${check}\\s`, 'm'));
  });
});

describe('the installed atelier, started', { timeout: TEST_TIMEOUT_MS }, () => {
  let child: ChildProcess;
  let server: TestServer;
  let stderr = '';

  beforeAll(async () => {
    const home = join(scratch.dir, 'home');
    // Run from outside the checkout: nothing may resolve against it.
    child = spawn(bin, ['--no-open', '--port', '0', '--home', home], {
      cwd: scratch.dir,
      env: { ...process.env, ATELIER_TOKEN: TOKEN, ATELIER_LOG_LEVEL: 'warn', ATELIER_HOME: '', ATELIER_PORT: '' },
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    const url = await new Promise<URL>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk;
        const m = out.match(/Atelier \S+ is ready: (http:\/\/\S+\/\?token=\S+)/);
        if (m) resolve(new URL(m[1]!));
      });
      child.once('exit', (code) => reject(new Error(`atelier exited ${code} before it was ready: ${stderr}`)));
    });
    expect(url.searchParams.get('token')).toBe(TOKEN);
    server = {
      url: url.origin,
      port: Number(url.port),
      token: TOKEN,
      home,
      fetch(path, init = {}) {
        const headers = new Headers(init.headers);
        headers.set('authorization', `Bearer ${TOKEN}`);
        if (init.body !== undefined) headers.set('content-type', 'application/json');
        return fetch(`${url.origin}${path}`, { ...init, headers });
      },
      close: async () => undefined,
    };
  }, TEST_TIMEOUT_MS);
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('answers /api/health', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
  });

  it("renders the studio's Dashboard in chromium from the printed link", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'], timeout: 30_000 });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${server.url}/?token=${TOKEN}`);
      await page.locator('[data-testid="tools-table"]').waitFor({ timeout: 20_000 });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('opens a terminal over WebSocket that echoes', async () => {
    const term = new TerminalClient(server.port, TOKEN);
    try {
      await term.init({ kind: 'local', shell: '/bin/sh' });
      term.input('echo "installed-$((6*7))"\r');
      await term.waitForOutput('installed-42');
    } finally {
      term.ws.close();
    }
  });

  it('streams a chat against the stand-in provider', async () => {
    const standin = await startProviderStandin({ apiKey: 'sk-package', models: ['gpt-package'] });
    try {
      await activateStandin(server, standin, 'sk-package', ['gpt-package']);
      standin.script([{ text: ['from ', 'the ', 'package'] }]);
      const res = await server.fetch('/api/chat', { method: 'POST', body: JSON.stringify({ message: 'hi', stream: true }) });
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const events = await readSse(res);
      expect(events.filter((e) => 'content' in e).map((e) => e.content)).toEqual(['from ', 'the ', 'package']);
      expect(events.at(-1)).toEqual({ done: 'true' });
    } finally {
      await standin.close();
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
