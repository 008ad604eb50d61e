// The curated registry as data: validated at load, and served with what the studio needs to
// configure a server (inputs, secrets, transports, the command Atelier would write).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry, parseRegistry } from '../../server/src/mcp/registry.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { call, tempHome } from './fixtures.js';

const home = tempHome();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  home.restore();
});

describe('registry.json', () => {
  it('validates: 15 servers with unique ids', () => {
    const servers = loadRegistry();
    expect(servers).toHaveLength(15);
    expect(new Set(servers.map((s) => s.id)).size).toBe(15);
  });

  it('refuses a broken entry at load, naming the field', () => {
    const file = fileURLToPath(new URL('../../server/src/mcp/registry.json', import.meta.url));
    const entries = JSON.parse(readFileSync(file, 'utf8'));
    const duplicate = JSON.stringify([...entries, entries[0]]);
    expect(() => parseRegistry(duplicate, 'test.json')).toThrow(/15\.id: duplicate server id "filesystem"/);
    const badTransport = JSON.stringify([{ ...entries[0], packages: [{ ...entries[0].packages[0], transport: { type: 'pipe' } }] }]);
    expect(() => parseRegistry(badTransport, 'test.json')).toThrow(/0\.packages\.0\.transport\.type/);
  });
});

describe('GET /api/mcp/registry', () => {
  let servers: any[];
  let editors: any[];
  beforeAll(async () => {
    const { status, json } = await call(server, 'GET', '/api/mcp/registry');
    expect(status).toBe(200);
    ({ servers, editors } = json);
  });
  const byId = (id: string) => servers.find((s) => s.id === id);

  it('shows the npx command, with the ~ default still unexpanded', () => {
    expect(byId('filesystem')).toMatchObject({
      transports: ['stdio'],
      package: { registry_type: 'npm', identifier: '@modelcontextprotocol/server-filesystem', version: '2026.8.31' },
      launch: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem@2026.8.31', '~'] },
      args: [{ key: 'allowed_directory', kind: 'positional', required: true, repeated: true, default: '~', format: 'filepath', secret: false }],
    });
  });

  it('shows uvx for PyPI and docker with -e NAME for OCI, and which values are secret', () => {
    expect(byId('time').launch).toEqual({ command: 'uvx', args: ['mcp-server-time'] });
    const github = byId('github');
    expect(github.launch).toEqual({ command: 'docker', args: ['run', '-i', '--rm', '-e', 'GITHUB_PERSONAL_ACCESS_TOKEN', 'ghcr.io/github/github-mcp-server:v0.31.0'] });
    expect(github.env).toEqual([expect.objectContaining({ name: 'GITHUB_PERSONAL_ACCESS_TOKEN', required: true, secret: true })]);
    expect(github.transports).toEqual(['stdio', 'remote']);
    expect(github.remote).toEqual({ type: 'http', url: 'https://api.githubcopilot.com/mcp/' });
    expect(github.headers[0]).toMatchObject({ name: 'Authorization', secret: true, template: 'Bearer {token}' });
    expect(byId('postgres').launch.args.at(-1)).toBe('<database_url>');
  });

  it('lists the editors with their files in this home', () => {
    expect(editors.map((e) => e.id)).toEqual(['claude-code', 'claude-desktop', 'cursor', 'vscode', 'windsurf', 'zed', 'crush', 'atelier']);
    const claude = editors.find((e) => e.id === 'claude-code');
    expect(claude).toEqual({ id: 'claude-code', title: 'Claude Code', scopes: { user: `${home.dir}/.claude.json`, project: '.mcp.json' }, servers_key: 'mcpServers', format: 'json', remote: true });
    expect(editors.find((e) => e.id === 'windsurf').scopes.project).toBeUndefined();
    expect(editors.find((e) => e.id === 'zed').format).toBe('jsonc');
  });
});
