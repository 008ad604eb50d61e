// Real language servers from the real npm registry: typescript-language-server and
// bash-language-server installed through POST /api/lsp/install into the test server's managed
// prefix, then listed, handshaken over stdio, configured for editors, and found by auto-install.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readSse } from '../helpers/sse.js';
import { tempDir } from '../helpers/temp.js';
import { call } from './fixtures.js';

// npm keeps its cache under HOME: keep using the real one (speed), then make "home" a temp dir before the server starts.
process.env.npm_config_cache ??= join(homedir(), '.npm');
const home = tempDir('atelier-lsp-home-');
process.env.HOME = home.dir;

const TS = 'typescript-language-server';
const BASH = 'bash-language-server';

let server: TestServer;
let prefix: string;
let tsEvents: any[];
let duplicate: { status: number; json: any };
let bashInstall: { status: number; json: any };

beforeAll(async () => {
  server = await startTestServer();
  prefix = join(server.home, 'lsp');
  const res = await server.fetch('/api/lsp/install?stream=true', { method: 'POST', body: JSON.stringify({ id: TS }) });
  // The stream opened: the install holds its lock, so a second one must be refused now.
  duplicate = await call(server, 'POST', '/api/lsp/install', { id: TS });
  tsEvents = await readSse(res);
  bashInstall = await call(server, 'POST', '/api/lsp/install', { id: BASH });
}, 240_000);

afterAll(async () => {
  await server?.close();
  home.remove();
});

const stateOf = async (id: string): Promise<any> => (await call(server, 'GET', '/api/lsp')).json.servers.find((s: any) => s.id === id);

describe('installing from npm into the managed prefix', () => {
  it('streams the installer output line by line, then the installed server, then done', () => {
    const progress = tsEvents.filter((e) => e.progress).map((e) => e.progress);
    expect(progress[0]).toMatchObject({ id: TS, phase: 'npm' });
    expect(progress[0].line).toMatch(/^\$ \S*npm install --prefix \S+ typescript-language-server@\^5 typescript@\^6 --no-audit --no-fund$/);
    expect(progress.some((p) => p.phase === 'npm' && /added \d+ package/.test(p.line))).toBe(true);
    expect(progress.at(-1)).toMatchObject({ phase: 'verify' });
    const installed = tsEvents.find((e) => e.installed)?.installed;
    expect(installed, JSON.stringify(tsEvents.slice(-3))).toMatchObject({ id: TS, installed: true, source: 'managed', install_method: 'npm' });
    expect(installed.path).toBe(join(prefix, 'node_modules', '.bin', 'typescript-language-server'));
    expect(installed.version).toMatch(/^5\.\d+\.\d+/);
    expect(tsEvents.at(-1)).toEqual({ done: 'true' });
  });

  it('refuses a second install of the same server while the first runs', () => {
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.code).toBe('INSTALL_IN_PROGRESS');
  });

  it('answers JSON when not streaming, with the server state and the installer output', () => {
    expect(bashInstall.status, JSON.stringify(bashInstall.json)).toBe(200);
    expect(bashInstall.json.installed).toMatchObject({ id: BASH, installed: true, source: 'managed' });
    expect(bashInstall.json.installed.version).toMatch(/^5\.\d+\.\d+/);
    expect(bashInstall.json.output).toMatch(/added \d+ package/);
  });

  it('records both installs in the manifest of the prefix', () => {
    const manifest = JSON.parse(readFileSync(join(prefix, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.servers)).toEqual(expect.arrayContaining([TS, BASH]));
    expect(manifest.servers[TS]).toMatchObject({ method: 'npm', spec: 'typescript-language-server@^5 typescript@^6' });
  });
});

describe('GET /api/lsp', () => {
  it('lists every registry server, the installed ones with path, source and version', async () => {
    const { status, json } = await call(server, 'GET', '/api/lsp');
    expect(status).toBe(200);
    expect(json.prefix).toBe(prefix);
    expect(json.servers).toHaveLength(18);
    for (const id of [TS, BASH]) {
      const s = json.servers.find((x: any) => x.id === id);
      expect(s).toMatchObject({ installed: true, source: 'managed', install_method: 'npm', installable: true, toolchain: 'npm', install_hint: null, version_error: null });
      expect(s.version).toMatch(/^5\./);
      expect(s.managed.installed_at).toMatch(/^\d{4}-/);
    }
    const marksman = json.servers.find((x: any) => x.id === 'marksman');
    expect(marksman).toMatchObject({ install_method: 'system', installable: false, toolchain: null });
    expect(marksman.install_hint).toEqual(expect.any(String));
    // With rustup on PATH, its ~/.cargo/bin proxy does not count: only `rustup which` finding the component does.
    const rust = json.servers.find((x: any) => x.id === 'rust-analyzer');
    if (rust.installable) expect(rust.source).not.toBe('path');
  });
});

describe('GET /api/lsp/health', () => {
  it('handshakes with both servers over stdio and reports what they provide', async () => {
    const { status, json } = await call(server, 'GET', '/api/lsp/health');
    expect(status).toBe(200);
    const ts = json.servers.find((s: any) => s.id === TS);
    const bash = json.servers.find((s: any) => s.id === BASH);
    expect(ts, JSON.stringify(ts)).toMatchObject({ ok: true, error: null, timed_out: false });
    expect(ts.capabilities).toEqual(expect.arrayContaining(['completionProvider', 'hoverProvider', 'definitionProvider', 'referencesProvider']));
    expect(ts.latency_ms).toBeGreaterThan(0);
    expect(ts.total_ms).toBeGreaterThanOrEqual(ts.latency_ms);
    expect(bash, JSON.stringify(bash)).toMatchObject({ ok: true, error: null });
    expect(bash.capabilities).toEqual(expect.arrayContaining(['completionProvider', 'hoverProvider', 'definitionProvider']));
  });

  it('handshakes with one server when asked by id', async () => {
    const { status, json } = await call(server, 'GET', `/api/lsp/health?id=${BASH}`);
    expect(status).toBe(200);
    expect(json.servers.map((s: any) => s.id)).toEqual([BASH]);
    expect(json.servers[0].ok).toBe(true);
  });

  it('reports a registry server that is not installed without starting anything', async () => {
    const { json } = await call(server, 'GET', '/api/lsp/health?id=marksman');
    const state = await stateOf('marksman');
    if (state.installed) return; // this machine has marksman: nothing to check here
    expect(json.servers[0]).toMatchObject({ id: 'marksman', ok: false, path: null, error: 'Marksman is not installed' });
  });
});

describe('POST /api/lsp/editor-config with installed servers', () => {
  const project = join(home.dir, 'editor-project');
  mkdirSync(project, { recursive: true });

  it('points Neovim at the installed binaries and replaces its own block on a second write', async () => {
    writeFileSync(join(project, '.nvim.lua'), "vim.o.number = true\n-- my own settings\n");
    const body = { editor: 'neovim', project_dir: project, servers: [TS, BASH], write: true };
    const first = await call(server, 'POST', '/api/lsp/editor-config', body);
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    const tsPath = (await stateOf(TS)).path;
    const file = first.json.files[0];
    expect(file).toMatchObject({ path: join(project, '.nvim.lua'), written: true, changed: true, backup: join(project, '.nvim.lua.atelier-backup') });
    expect(file.content).toContain(`vim.lsp.config('ts_ls', { cmd = { '${tsPath}', '--stdio' } })`);
    expect(file.content).toContain("vim.lsp.enable({ 'ts_ls', 'bashls' })");
    expect(readFileSync(join(project, '.nvim.lua'), 'utf8')).toBe(file.content);
    expect(readFileSync(join(project, '.nvim.lua.atelier-backup'), 'utf8')).toBe("vim.o.number = true\n-- my own settings\n");

    const second = await call(server, 'POST', '/api/lsp/editor-config', { ...body, servers: [BASH] });
    const content = readFileSync(join(project, '.nvim.lua'), 'utf8');
    expect(second.json.files[0].written).toBe(true);
    expect(content.startsWith('vim.o.number = true\n-- my own settings\n')).toBe(true);
    expect(content.match(/>>> atelier lsp >>>/g)).toHaveLength(1);
    expect(content).not.toContain('ts_ls');
    expect(content).toContain("vim.lsp.enable({ 'bashls' })");
  });

  it('defaults to the installed servers and generates Helix, Zed and VS Code files without writing', async () => {
    const tsPath = (await stateOf(TS)).path;
    const helix = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'helix' });
    expect(helix.status).toBe(200);
    expect(helix.json.servers).toEqual(expect.arrayContaining([TS, BASH]));
    expect(helix.json.files[0]).toMatchObject({ path: join('.helix', 'languages.toml'), written: false });
    expect(helix.json.files[0].content).toContain(`[language-server.typescript-language-server]\ncommand = ${JSON.stringify(tsPath)}\nargs = ["--stdio"]`);
    expect(helix.json.files[0].content).toContain('[[language]]\nname = "bash"\nlanguage-servers = ["bash-language-server"]');

    const zed = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'zed', servers: [TS] });
    const settings = JSON.parse(zed.json.files[0].content);
    expect(settings.lsp[TS].binary).toEqual({ path: tsPath, arguments: ['--stdio'] });
    expect(settings.languages.TypeScript.language_servers).toEqual([TS, '...']);

    const vscode = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'vscode', servers: [TS, BASH] });
    expect(vscode.json.files.map((f: any) => f.path)).toEqual([join('.vscode', 'extensions.json')]);
    expect(JSON.parse(vscode.json.files[0].content)).toEqual({ recommendations: ['mads-hartmann.bash-ide-vscode'] });
    expect(vscode.json.notes.join('\n')).toMatch(/typescript-language-server: VS Code has this support built in/);
  });
});

describe('POST /api/lsp/auto-install', () => {
  it('detects TypeScript, bash and YAML in a dry run, skipping node_modules', async () => {
    const project = join(home.dir, 'auto-project');
    for (const [file, text] of Object.entries({
      'package.json': '{}',
      'tsconfig.json': '{}',
      'src/index.ts': 'export const x = 1;\n',
      'scripts/build.sh': 'echo hi\n',
      '.github/workflows/ci.yml': 'on: push\n',
      'node_modules/some-dep/tool.py': 'print(1)\n',
      'node_modules/some-dep/Cargo.toml': '',
    })) {
      mkdirSync(join(project, file, '..'), { recursive: true });
      writeFileSync(join(project, file), text);
    }
    const { status, json } = await call(server, 'POST', '/api/lsp/auto-install', { project_dir: project, dry_run: true });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json).toMatchObject({ project_dir: project, dry_run: true, truncated: false });
    const byId = Object.fromEntries(json.servers.map((s: any) => [s.id, s]));
    expect(byId[TS]).toMatchObject({ action: 'already_installed', detected_by: ['*.ts', 'tsconfig.json', 'package.json'] });
    expect(byId[BASH]).toMatchObject({ action: 'already_installed', detected_by: ['*.sh'] });
    const yaml = byId['yaml-language-server'];
    expect(yaml.detected_by).toEqual(['*.yml']);
    expect(['would_install', 'already_installed']).toContain(yaml.action);
    expect(byId.pyright).toBeUndefined();
    expect(byId['rust-analyzer']).toBeUndefined();
    expect(json.languages).toEqual(expect.arrayContaining(['typescript', 'shellscript', 'yaml']));
    expect(existsSync(join(prefix, 'node_modules', 'yaml-language-server'))).toBe(false);
  });
});
