// GET /api/mcp/status: every server in the editors' files, checked live with the MCP SDK
// against real servers (the reference filesystem and everything servers, run with node).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { alive, call, EVERYTHING_SERVER, eventually, FILESYSTEM_SERVER, mkdirFor, tempHome } from './fixtures.js';

const home = tempHome();
const node = process.execPath;
const shared = join(home.dir, 'shared');
const pidFile = join(home.dir, 'hung.pid');
const projectDir = join(home.dir, 'work', 'app');
let server: TestServer;
let status: { servers: any[]; files: any[] };
let text: string;

beforeAll(async () => {
  mkdirSync(shared, { recursive: true });
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(
    join(home.dir, '.claude.json'),
    JSON.stringify({
      numStartups: 3,
      mcpServers: {
        files: { type: 'stdio', command: node, args: [FILESYSTEM_SERVER, shared], env: { API_TOKEN: 'hunter2-secret' } },
        crashes: { command: node, args: ['-e', 'console.error("fatal: MISSING_TOKEN is not set"); process.exit(1)'] },
        missing: { command: 'atelier-no-such-command-xyz', args: [] },
        'via-variable': { command: node, args: ['${FS_SERVER_PATH}', '${userHome}/shared'] },
        off: { command: node, args: [FILESYSTEM_SERVER, shared], disabled: true },
      },
    }),
  );
  writeFileSync(mkdirFor(join(home.dir, '.cursor', 'mcp.json')), '{"mcpServers": {"everything": {"command": "' + node + '", "args": ["' + EVERYTHING_SERVER + '", "stdio"]}}}');
  writeFileSync(mkdirFor(join(home.dir, '.codeium', 'windsurf', 'mcp_config.json')), '{"mcpServers": {"x": {"command": "node"},}');
  writeFileSync(join(projectDir, '.mcp.json'), JSON.stringify({ mcpServers: { 'project-files': { command: node, args: [FILESYSTEM_SERVER, '.'] } } }));
  process.env.FS_SERVER_PATH = FILESYSTEM_SERVER;
  server = await startTestServer();
  const res = await call(server, 'GET', `/api/mcp/status?project_dir=${encodeURIComponent(projectDir)}`);
  expect(res.status, res.text).toBe(200);
  status = res.json;
  text = res.text;
}, 120_000);
afterAll(async () => {
  delete process.env.FS_SERVER_PATH;
  await server.close();
  home.restore();
});

const entry = (name: string) => status.servers.find((s) => s.name === name);

describe('GET /api/mcp/status', () => {
  it('checks a real filesystem server over stdio: ok, its tools counted and named', () => {
    expect(entry('files')).toMatchObject({ editor: 'claude-code', scope: 'user', path: join(home.dir, '.claude.json'), transport: 'stdio', command: node, ok: true, server_info: { name: 'secure-filesystem-server' } });
    expect(entry('files').tools_count).toBeGreaterThan(0);
    expect(entry('files').tools).toContain('list_directory');
    expect(entry('files').latency_ms).toBeGreaterThan(0);
  });

  it('checks servers of every editor file, the project files included', () => {
    expect(entry('everything')).toMatchObject({ editor: 'cursor', scope: 'user', ok: true });
    expect(entry('everything').tools_count).toBeGreaterThan(0);
    expect(entry('project-files')).toMatchObject({ editor: 'claude-code', scope: 'project', path: join(projectDir, '.mcp.json'), ok: true });
  });

  it('reports a server that exits at once as failed, with its stderr', () => {
    expect(entry('crashes')).toMatchObject({ ok: false, tools_count: null });
    expect(entry('crashes').error).toMatch(/exited before answering/);
    expect(entry('crashes').error).toContain('fatal: MISSING_TOKEN is not set');
  });

  it('reports a command that does not exist', () => {
    expect(entry('missing')).toMatchObject({ ok: false, error: 'Command not found: atelier-no-such-command-xyz' });
  });

  it('expands ${VAR} and ${userHome} in an entry as the editor would', () => {
    expect(entry('via-variable')).toMatchObject({ ok: true });
  });

  it('does not start a server the editor has disabled', () => {
    expect(entry('off')).toMatchObject({ ok: false, disabled: true, tools_count: null });
  });

  it('lists every file looked at, a malformed one with its error', () => {
    const file = (editor: string, scope = 'user') => status.files.find((f) => f.editor === editor && f.scope === scope);
    expect(file('claude-code')).toMatchObject({ exists: true, servers: 5 });
    expect(file('claude-code', 'project')).toMatchObject({ exists: true, servers: 1 });
    expect(file('windsurf').error).toMatch(/not valid JSON/);
    expect(file('zed')).toMatchObject({ exists: false, servers: 0 });
  });

  it('never returns env values', () => {
    expect(text).not.toContain('hunter2-secret');
  });

  it('gives up on a server that never answers, within the timeout, and kills it', async () => {
    const claude = JSON.parse(readFileSync(join(home.dir, '.claude.json'), 'utf8'));
    writeFileSync(
      join(home.dir, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { hung: { command: node, args: ['-e', `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`] } } }),
    );
    writeFileSync(join(home.dir, '.claude.json'), JSON.stringify({ ...claude, mcpServers: {} }));
    const started = Date.now();
    const { json } = await call(server, 'GET', '/api/mcp/status?timeout_ms=1500');
    expect(Date.now() - started).toBeLessThan(10_000);
    const hung = json.servers.find((s: any) => s.name === 'hung');
    expect(hung).toMatchObject({ ok: false, tools_count: null });
    expect(hung.error).toMatch(/No answer within 1500 ms/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(await eventually(() => !alive(pid))).toBe(true);
  });

  it('refuses a project_dir outside home', async () => {
    const { status: code, json } = await call(server, 'GET', '/api/mcp/status?project_dir=/');
    expect(code).toBe(400);
    expect(json.code).toBe('PATH_OUTSIDE_HOME');
  });
});
