// Servers and installs that misbehave, through the LSP routes with a registry of the test's own
// (the capability's test seam): a server that hangs, one that exits at once, one that refuses
// initialize, an npm install that fails, and machines without the toolchain.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { alive, call, eventually, spec, startLspApp, streamed, type LspApp } from './fixtures.js';

process.env.npm_config_cache ??= join(homedir(), '.npm');
const home = tempDir('atelier-lsp-home-');
process.env.HOME = home.dir;

const FAKE = fileURLToPath(new URL('./fake-server.mjs', import.meta.url));
const pids = join(home.dir, 'pids');
mkdirSync(pids);

const registry = [
  spec({ id: 'answers', command: 'node', args: [FAKE, 'ok'] }),
  spec({ id: 'refuses', command: 'node', args: [FAKE, 'refuse'] }),
  spec({ id: 'stalls', command: 'node', args: [FAKE, 'stall-shutdown'] }),
  // Never reads stdin; leaves a grandchild that only a process-group kill reaches.
  spec({ id: 'hangs', command: 'sh', args: ['-c', `echo $$ > ${pids}/sh; sleep 600 & echo $! > ${pids}/sleep; wait`] }),
  spec({ id: 'quits', command: 'sh', args: ['-c', 'echo "fatal: cannot read config" >&2; exit 3'] }),
  spec({ id: 'missing-version', command: 'atelier-test-missing-ls', file_extensions: ['.zzz'], install: { method: 'npm', package: 'typescript-language-server', version: '99.99.99', extra_packages: [] } }),
  // Found on PATH as `sh`; its VS Code extension takes a server path (vscode-settings.json), so two files are planned.
  spec({ id: 'ruff', command: 'sh', file_extensions: ['.ruff-test'], editors: { vscode: { extension: 'charliermarsh.ruff', builtin: false }, neovim: null, helix: null, zed: null } }),
  // Two servers from one npm package (like vscode-langservers-extracted): installing one registers both.
  spec({ id: 'pkg-first', command: 'semver', file_extensions: ['.semver-test'], install: { method: 'npm', package: 'semver', version: '^7', extra_packages: [] } }),
  spec({ id: 'pkg-second', command: 'semver', file_extensions: ['.semver-test'], install: { method: 'npm', package: 'semver', version: '^7', extra_packages: [] } }),
  spec({ id: 'no-binary', command: 'atelier-test-no-binary', file_extensions: ['.zzz'], install: { method: 'npm', package: 'is-number', version: '7.0.0', extra_packages: [] } }),
];

const HANDSHAKE_TIMEOUT_MS = 3_000;
const data = tempDir('atelier-lsp-data-');
const emptyPath = tempDir('atelier-lsp-nopath-');
let app: LspApp;
/** The same registry on a machine whose PATH holds nothing (no npm, no node). */
let bare: LspApp;

beforeAll(async () => {
  app = await startLspApp(data.dir, { registry, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });
  bare = await startLspApp(join(data.dir, 'bare'), { registry, env: { PATH: emptyPath.dir } });
});

afterAll(async () => {
  await app?.close();
  await bare?.close();
  data.remove();
  emptyPath.remove();
  home.remove();
});

const health = async (id: string): Promise<any> => {
  const { status, json } = await call(app, 'GET', `/api/lsp/health?id=${id}`);
  expect(status).toBe(200);
  return json.servers[0];
};

describe('handshakes', () => {
  it('reports serverInfo, latency and the providers a well-behaved server announces', async () => {
    const result = await health('answers');
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, error: null, timed_out: false, exit_code: 0, server_info: { name: 'fake-ls', version: '1.2.3' } });
    // renameProvider is true only because the client answered the server's workspace/configuration request.
    expect(result.capabilities).toEqual(['completionProvider', 'hoverProvider', 'renameProvider']);
    expect(result.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('kills a server that never answers initialize, with its whole process group, once the timeout passes', async () => {
    const started = Date.now();
    const result = await health('hangs');
    expect(Date.now() - started).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 100);
    expect(result).toMatchObject({ ok: false, timed_out: true, latency_ms: null, error: `no answer to initialize within ${HANDSHAKE_TIMEOUT_MS} ms; the server was killed` });
    const shell = Number(readFileSync(join(pids, 'sh'), 'utf8'));
    const sleeper = Number(readFileSync(join(pids, 'sleep'), 'utf8'));
    expect(await eventually(() => !alive(shell) && !alive(sleeper))).toBe(true);
  });

  it('reports the exit code and the last stderr lines of a server that exits at once', async () => {
    const result = await health('quits');
    expect(result).toMatchObject({ ok: false, timed_out: false, exit_code: 3, error: 'the server exited (exit code 3) before answering initialize' });
    expect(result.stderr_tail).toBe('fatal: cannot read config');
  });

  it('reports a server that refuses initialize, with its message', async () => {
    const result = await health('refuses');
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^initialize was refused: no workspace for Atelier \(code -32603\)$/);
  });

  it('names the step at which a server stopped answering', async () => {
    const result = await health('stalls');
    expect(result).toMatchObject({ ok: false, timed_out: true, error: `no answer to shutdown within ${HANDSHAKE_TIMEOUT_MS} ms; the server was killed` });
    expect(result.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('handshakes with every installed server when no id is given', async () => {
    const { json } = await call(app, 'GET', '/api/lsp/health');
    const ids = json.servers.map((s: any) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['answers', 'hangs', 'quits', 'refuses', 'ruff', 'stalls']));
    expect(ids).not.toContain('missing-version');
    expect(ids).not.toContain('no-binary');
  });
});

describe('installs that fail', () => {
  const manifestIds = (dir: string): string[] => {
    const file = join(dir, 'lsp', 'manifest.json');
    return existsSync(file) ? Object.keys(JSON.parse(readFileSync(file, 'utf8')).servers) : [];
  };

  it("streams npm's reason when the version does not exist, and registers nothing", async () => {
    const { status, events } = await streamed(app, '/api/lsp/install', { id: 'missing-version' });
    expect(status).toBe(200);
    expect(events[0].progress.line).toMatch(/^\$ .*npm install --prefix .* typescript-language-server@99\.99\.99 --no-audit --no-fund$/);
    const failure = events.find((e) => e.error);
    expect(failure.code).toBe('INSTALL_FAILED');
    expect(failure.error).toMatch(/^npm step failed \(exit code 1\)/);
    expect(failure.error).toMatch(/ETARGET|No matching version/);
    expect(events.at(-1)).toEqual({ done: 'true' });
    expect(events.some((e) => e.installed)).toBe(false);
    const state = (await call(app, 'GET', '/api/lsp')).json.servers.find((s: any) => s.id === 'missing-version');
    expect(state).toMatchObject({ installed: false, path: null, managed: null });
    expect(manifestIds(data.dir)).not.toContain('missing-version');
  });

  it('fails the check when the install succeeds but the binary never appears, and registers nothing', async () => {
    const { status, json } = await call(app, 'POST', '/api/lsp/install', { id: 'no-binary' });
    expect(status).toBe(502);
    expect(json.code).toBe('INSTALL_FAILED');
    expect(json.error).toMatch(/The install finished but atelier-test-no-binary was not found where it should be/);
    expect(existsSync(join(data.dir, 'lsp', 'node_modules', 'is-number'))).toBe(true);
    expect(manifestIds(data.dir)).not.toContain('no-binary');
    expect((await call(app, 'GET', '/api/lsp')).json.servers.find((s: any) => s.id === 'no-binary').installed).toBe(false);
  });

  it('registers every server of an npm package when one of them is installed', async () => {
    const { status, json } = await call(app, 'POST', '/api/lsp/install', { id: 'pkg-first' });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.installed).toMatchObject({ id: 'pkg-first', installed: true, source: 'managed', path: join(data.dir, 'lsp', 'node_modules', '.bin', 'semver') });
    expect(json.installed.version).toMatch(/^7\./);
    expect(manifestIds(data.dir)).toEqual(expect.arrayContaining(['pkg-first', 'pkg-second']));
    const second = (await call(app, 'GET', '/api/lsp')).json.servers.find((s: any) => s.id === 'pkg-second');
    expect(second).toMatchObject({ installed: true, source: 'managed' });
  });

  it('streams auto-install progress per server and reports a failed install in the result', async () => {
    const project = join(home.dir, 'failing-project');
    mkdirSync(project);
    writeFileSync(join(project, 'data.zzz'), 'x');
    const { status, events } = await streamed(app, '/api/lsp/auto-install', { project_dir: project });
    expect(status).toBe(200);
    expect(events.filter((e) => e.progress).every((e) => e.progress.id === 'missing-version')).toBe(true);
    const { result } = events.find((e) => e.result);
    expect(result.servers).toEqual([{ id: 'missing-version', name: 'missing-version', detected_by: ['*.zzz'], action: 'failed', error: expect.stringMatching(/^npm step failed/) }]);
    expect(events.at(-1)).toEqual({ done: 'true' });
  });

  it('refuses to install when the toolchain is missing, naming it, and lists the server as not installable', async () => {
    const { status, json } = await call(bare, 'POST', '/api/lsp/install', { id: 'missing-version' });
    expect(status).toBe(422);
    expect(json).toEqual({ code: 'NEEDS_TOOLCHAIN', error: 'Installing missing-version needs npm, which is not on PATH' });
    const state = (await call(bare, 'GET', '/api/lsp')).json.servers.find((s: any) => s.id === 'missing-version');
    expect(state).toMatchObject({ installable: false, toolchain: 'npm', install_hint: 'needs npm' });
  });

  it('refuses a system-packaged server with the hint for this OS', async () => {
    const { status, json } = await call(app, 'POST', '/api/lsp/install', { id: 'quits' });
    expect(status).toBe(422);
    expect(json.code).toBe('SYSTEM_PACKAGE');
    const hint = process.platform === 'darwin' ? 'brew install it' : process.platform === 'win32' ? 'winget install it' : 'apt install it';
    expect(json.error).toBe(`quits is not installed by Atelier; install it with your system's tools: ${hint}`);
  });

  it('reports what auto-install cannot do on a machine without the toolchain', async () => {
    const project = join(home.dir, 'zzz-project');
    mkdirSync(project);
    writeFileSync(join(project, 'notes.txt'), 'x');
    writeFileSync(join(project, 'data.zzz'), 'x');
    const { status, json } = await call(bare, 'POST', '/api/lsp/auto-install', { project_dir: project });
    expect(status, JSON.stringify(json)).toBe(200);
    const byId = Object.fromEntries(json.servers.map((s: any) => [s.id, s]));
    // .txt belongs to the first registry entry listing it; .zzz to missing-version (no-binary shares it, second).
    expect(Object.keys(byId)).toEqual(['answers', 'missing-version']);
    expect(byId.answers).toMatchObject({ action: 'unavailable', detected_by: ['*.txt'], error: expect.stringContaining("install it with your system's tools") });
    expect(byId['missing-version']).toMatchObject({ action: 'unavailable', error: 'needs npm, which is not on PATH' });
  });
});

describe('editor config files', () => {
  it('writes the extension recommendation and the server path setting for an installed server', async () => {
    const dir = join(home.dir, 'vscode-ok');
    mkdirSync(dir);
    const { status, json } = await call(app, 'POST', '/api/lsp/editor-config', { editor: 'vscode', project_dir: dir, servers: ['ruff'], write: true });
    expect(status, JSON.stringify(json)).toBe(200);
    const shPath = (await call(app, 'GET', '/api/lsp')).json.servers.find((s: any) => s.id === 'ruff').path;
    expect(JSON.parse(readFileSync(join(dir, '.vscode', 'settings.json'), 'utf8'))).toEqual({ 'ruff.path': [shPath] });
    expect(JSON.parse(readFileSync(join(dir, '.vscode', 'extensions.json'), 'utf8'))).toEqual({ recommendations: ['charliermarsh.ruff'] });
  });

  it('refuses the whole request when one file is malformed: nothing is written, that file is unchanged', async () => {
    const dir = join(home.dir, 'vscode-broken');
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    const broken = '{ "editor.tabSize": 2 oops }';
    writeFileSync(join(dir, '.vscode', 'settings.json'), broken);
    const { status, json } = await call(app, 'POST', '/api/lsp/editor-config', { editor: 'vscode', project_dir: dir, servers: ['ruff'], write: true });
    expect(status).toBe(422);
    expect(json.code).toBe('MALFORMED_CONFIG');
    expect(readFileSync(join(dir, '.vscode', 'settings.json'), 'utf8')).toBe(broken);
    expect(existsSync(join(dir, '.vscode', 'extensions.json'))).toBe(false);
  });
});
