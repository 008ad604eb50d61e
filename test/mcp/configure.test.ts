// POST /api/mcp/configure and /api/mcp/remove against each editor's own file in a temporary
// HOME: the one entry changes, everything else (other keys, other servers, comments, mode)
// stays, a backup is kept, and bad input is refused before any file is touched.
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { call, mkdirFor, tempHome } from './fixtures.js';

const home = tempHome();
const outside = tempDir('atelier-mcp-outside-');
let server: TestServer;
let userFiles: Record<string, string>;

const FS_PACKAGE = '@modelcontextprotocol/server-filesystem@2026.8.31';

beforeAll(async () => {
  server = await startTestServer();
  const { json } = await call(server, 'GET', '/api/mcp/registry');
  userFiles = Object.fromEntries(json.editors.filter((e: any) => e.scopes.user).map((e: any) => [e.id, e.scopes.user]));
});
afterAll(async () => {
  await server.close();
  outside.remove();
  home.restore();
});

function configure(body: Record<string, unknown>) {
  return call(server, 'POST', '/api/mcp/configure', body);
}

function project(name: string): string {
  const dir = join(home.dir, 'projects', name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('user files of the strict-JSON editors', () => {
  const cases = [
    { editor: 'claude-code', key: 'mcpServers', type: true, suffix: '.claude.json' },
    { editor: 'claude-desktop', key: 'mcpServers', type: false, suffix: join('.config', 'Claude', 'claude_desktop_config.json') },
    { editor: 'cursor', key: 'mcpServers', type: false, suffix: join('.cursor', 'mcp.json') },
    { editor: 'windsurf', key: 'mcpServers', type: false, suffix: join('.codeium', 'windsurf', 'mcp_config.json') },
    { editor: 'crush', key: 'mcp', type: true, suffix: join('.config', 'crush', 'crush.json') },
  ];

  it.each(cases)('$editor: adds the server next to the other keys and servers, and keeps a backup', async ({ editor, key, type, suffix }) => {
    const file = join(home.dir, suffix);
    expect(userFiles[editor]).toBe(file);
    const original = `{\n  "numStartups": 42,\n  "${key}": {\n    "mine": { "command": "my-server", "args": ["--x"] }\n  },\n  "projects": { "/p": { "allowedTools": [] } }\n}\n`;
    writeFileSync(mkdirFor(file), original);

    const { status, json } = await configure({ editor, scope: 'user', server: 'filesystem', args: { allowed_directory: '~/work' } });
    expect(status, JSON.stringify(json)).toBe(200);
    const entry = { ...(type && { type: 'stdio' }), command: 'npx', args: ['-y', FS_PACKAGE, join(home.dir, 'work')] };
    expect(json).toEqual({ editor, scope: 'user', path: file, key: 'filesystem', backup: `${file}.atelier-backup`, replaced: false, entry, warnings: [] });
    expect(readJson(file)).toEqual({ numStartups: 42, [key]: { mine: { command: 'my-server', args: ['--x'] }, filesystem: entry }, projects: { '/p': { allowedTools: [] } } });
    expect(readFileSync(`${file}.atelier-backup`, 'utf8')).toBe(original);
  });

  it('creates a missing file and its folders, owner-only', async () => {
    const dir = project('fresh');
    const { status, json } = await configure({ editor: 'cursor', scope: 'project', project_dir: dir, server: 'memory', name: 'notes', env: { MEMORY_FILE_PATH: '~/notes.json' } });
    expect(status).toBe(200);
    expect(json.path).toBe(join(dir, '.cursor', 'mcp.json'));
    expect(json.backup).toBeUndefined();
    expect(readJson(json.path).mcpServers.notes).toEqual({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory@2026.8.31'], env: { MEMORY_FILE_PATH: join(home.dir, 'notes.json') } });
    expect(statSync(json.path).mode & 0o777).toBe(0o600);
  });

  it('keeps the mode of an existing file', async () => {
    const file = userFiles['claude-desktop']!;
    writeFileSync(mkdirFor(file), '{}');
    chmodSync(file, 0o640);
    expect((await configure({ editor: 'claude-desktop', server: 'time' })).status).toBe(200);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readJson(file).mcpServers.time).toEqual({ command: 'uvx', args: ['mcp-server-time'] });
  });

  it('replaces an entry of the same name and says so', async () => {
    await configure({ editor: 'cursor', server: 'time', name: 'clock' });
    const { json } = await configure({ editor: 'cursor', server: 'time', name: 'clock', args: { '--local-timezone': 'Europe/Paris' } });
    expect(json.replaced).toBe(true);
    expect(readJson(json.path).mcpServers.clock.args).toEqual(['mcp-server-time', '--local-timezone', 'Europe/Paris']);
  });

  it('writes through a symlinked config file, leaving the link a link', async () => {
    const dotfiles = join(home.dir, 'dotfiles');
    mkdirSync(dotfiles, { recursive: true });
    const real = join(dotfiles, 'windsurf.json');
    writeFileSync(real, '{"mcpServers": {}}');
    const link = userFiles.windsurf!;
    rmSync(link, { force: true });
    symlinkSync(real, mkdirFor(link));
    expect((await configure({ editor: 'windsurf', server: 'time' })).status).toBe(200);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readJson(real).mcpServers.time.command).toBe('uvx');
  });
});

describe('JSONC editors (VS Code, Zed)', () => {
  it('zed: keeps comments, trailing commas and other settings, and adds under context_servers', async () => {
    const file = userFiles.zed!;
    expect(file).toBe(join(home.dir, '.config', 'zed', 'settings.json'));
    const original = '// Zed settings\n//\n// For information on how to configure Zed, see the Zed documentation.\n{\n  "theme": "One Dark", // my theme\n  /* fonts */\n  "buffer_font_size": 15,\n  "context_servers": {\n    // hand-written\n    "mine": { "command": "x", "args": [] },\n  },\n}\n';
    writeFileSync(mkdirFor(file), original);
    const { status, json } = await configure({ editor: 'zed', server: 'everything' });
    expect(status, JSON.stringify(json)).toBe(200);
    const text = readFileSync(file, 'utf8');
    for (const kept of ['// Zed settings', '// For information on how to configure Zed', '"theme": "One Dark", // my theme', '/* fonts */', '// hand-written', '"mine": { "command": "x", "args": [] },']) {
      expect(text).toContain(kept);
    }
    const { parse } = await import('jsonc-parser');
    expect(parse(text)).toEqual({
      theme: 'One Dark',
      buffer_font_size: 15,
      context_servers: { mine: { command: 'x', args: [] }, everything: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything@2026.8.31', 'stdio'] } },
    });
    expect(readFileSync(`${file}.atelier-backup`, 'utf8')).toBe(original);
  });

  it('vscode: writes "servers" with type stdio into the project file, keeping "inputs" and comments', async () => {
    const dir = project('vs');
    const file = join(dir, '.vscode', 'mcp.json');
    writeFileSync(mkdirFor(file), '{\n  // shared with the team\n  "inputs": [{ "type": "promptString", "id": "k", "password": true }],\n  "servers": {}\n}\n');
    const { status, json } = await configure({ editor: 'vscode', scope: 'project', project_dir: dir, server: 'time' });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.path).toBe(file);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('// shared with the team');
    const { parse } = await import('jsonc-parser');
    expect(parse(text)).toEqual({ inputs: [{ type: 'promptString', id: 'k', password: true }], servers: { time: { type: 'stdio', command: 'uvx', args: ['mcp-server-time'] } } });
  });

  it('vscode: the user file sits in the VS Code user folder', () => {
    expect(userFiles.vscode).toBe(join(home.dir, '.config', 'Code', 'User', 'mcp.json'));
  });
});

describe('project files', () => {
  it.each([
    ['claude-code', '.mcp.json', 'mcpServers'],
    ['cursor', join('.cursor', 'mcp.json'), 'mcpServers'],
    ['zed', join('.zed', 'settings.json'), 'context_servers'],
    ['crush', 'crush.json', 'mcp'],
  ])('%s: writes %s in the project', async (editor, relative, key) => {
    const dir = project(`p-${editor}`);
    const { status, json } = await configure({ editor, scope: 'project', project_dir: dir, server: 'time' });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json.path).toBe(join(dir, relative));
    expect(readJson(json.path)[key].time.args).toEqual(['mcp-server-time']);
  });

  it('crush: writes an existing .crush.json, which Crush reads first', async () => {
    const dir = project('crush-dot');
    writeFileSync(join(dir, '.crush.json'), '{"$schema": "https://charm.land/crush.json"}');
    const { json } = await configure({ editor: 'crush', scope: 'project', project_dir: dir, server: 'time' });
    expect(json.path).toBe(join(dir, '.crush.json'));
    expect(readJson(json.path)).toEqual({ $schema: 'https://charm.land/crush.json', mcp: { time: { type: 'stdio', command: 'uvx', args: ['mcp-server-time'] } } });
    expect(existsSync(join(dir, 'crush.json'))).toBe(false);
  });

  it('refuses a project scope the editor does not have, naming scope', async () => {
    for (const editor of ['windsurf', 'claude-desktop']) {
      const { status, json } = await configure({ editor, scope: 'project', project_dir: project('x'), server: 'time' });
      expect(status).toBe(400);
      expect(json.code).toBe('SCOPE_NOT_SUPPORTED');
      expect(json.issues[0].path).toBe('scope');
    }
  });

  it('requires project_dir with scope project', async () => {
    const { status, json } = await configure({ editor: 'cursor', scope: 'project', server: 'time' });
    expect(status).toBe(400);
    expect(json.issues[0].path).toBe('project_dir');
  });

  it('refuses a project_dir outside home, through "..", or through a symlink, and writes nothing there', async () => {
    const link = join(home.dir, 'escape');
    symlinkSync(outside.dir, link);
    for (const dir of [outside.dir, join(home.dir, 'projects', '..', '..', 'elsewhere'), join(home.dir, '..'), link]) {
      const { status, json } = await configure({ editor: 'cursor', scope: 'project', project_dir: dir, server: 'time' });
      expect(status, dir).toBe(400);
      expect(json.code).toBe('PATH_OUTSIDE_HOME');
    }
    expect(existsSync(join(outside.dir, '.cursor'))).toBe(false);
  });

  it('refuses a project file that is a symlink out of home', async () => {
    const dir = project('linked-file');
    writeFileSync(join(outside.dir, 'mcp.json'), '{}');
    symlinkSync(join(outside.dir, 'mcp.json'), join(dir, '.mcp.json'));
    const { status, json } = await configure({ editor: 'claude-code', scope: 'project', project_dir: dir, server: 'time' });
    expect(status).toBe(400);
    expect(json.code).toBe('PATH_OUTSIDE_HOME');
    expect(readFileSync(join(outside.dir, 'mcp.json'), 'utf8')).toBe('{}');
  });
});

describe('malformed files are refused and left untouched', () => {
  it.each([
    ['claude-code', '{"mcpServers": {},, "x": 1}'],
    ['cursor', '{\n  // a comment is not JSON\n  "mcpServers": {}\n}'],
    ['crush', '{"mcp": {"a": 1},}'],
    ['windsurf', '[1, 2]'],
    ['claude-code', '{"mcpServers": []}'],
    ['zed', '{\n  // comments are fine here, this is not:\n  "theme": \n}'],
  ])('%s: %s', async (editor, text) => {
    const file = userFiles[editor]!;
    writeFileSync(mkdirFor(file), text);
    rmSync(`${file}.atelier-backup`, { force: true });
    const before = statSync(file).mtimeMs;
    const { status, json } = await configure({ editor, server: 'time' });
    expect(status).toBe(422);
    expect(json.code).toBe('EDITOR_CONFIG_MALFORMED');
    expect(json.error).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(statSync(file).mtimeMs).toBe(before);
    expect(existsSync(`${file}.atelier-backup`)).toBe(false);
    rmSync(file);
  });
});

describe('what is refused before anything is written', () => {
  it('an unknown server (404) and an unknown editor (400), each naming its field', async () => {
    const unknownServer = await configure({ editor: 'cursor', server: 'no-such-server' });
    expect(unknownServer.status).toBe(404);
    expect(unknownServer.json.issues[0].path).toBe('server');
    const unknownEditor = await configure({ editor: 'notepad', server: 'time' });
    expect(unknownEditor.status).toBe(400);
    expect(unknownEditor.json.code).toBe('VALIDATION_FAILED');
    expect(unknownEditor.json.issues[0].path).toBe('editor');
  });

  it('a missing required secret, named, with nothing written', async () => {
    const file = userFiles.cursor!;
    writeFileSync(mkdirFor(file), '{"mcpServers": {}}');
    const before = readFileSync(file, 'utf8');
    const { status, json } = await configure({ editor: 'cursor', server: 'brave-search' });
    expect(status).toBe(400);
    expect(json.issues).toEqual([{ path: 'env.BRAVE_API_KEY', message: 'required (secret)' }]);
    expect(json.error).toContain('BRAVE_API_KEY');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('an argument the server does not take, and a missing required argument', async () => {
    const unknown = await configure({ editor: 'cursor', server: 'time', args: { '--nope': 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.issues[0].path).toBe('args.--nope');
    const missing = await configure({ editor: 'cursor', server: 'postgres' });
    expect(missing.json.issues).toEqual([{ path: 'args.database_url', message: 'required (secret)' }]);
  });

  it('a remote server for Claude Desktop, whose file takes none', async () => {
    const { status, json } = await configure({ editor: 'claude-desktop', server: 'context7', transport: 'remote' });
    expect(status).toBe(400);
    expect(json.issues[0].path).toBe('transport');
  });
});

describe('secrets and remote servers', () => {
  it('writes the secret into env where the editor reads it and answers it masked', async () => {
    const { status, json } = await configure({ editor: 'claude-code', server: 'brave-search', env: { BRAVE_API_KEY: 'bsa-real-key' } });
    expect(status).toBe(200);
    expect(json.entry.env).toEqual({ BRAVE_API_KEY: '***' });
    expect(readJson(json.path).mcpServers['brave-search'].env).toEqual({ BRAVE_API_KEY: 'bsa-real-key' });
  });

  it('runs an OCI server with docker, passing the secret by name only', async () => {
    const { json } = await configure({ editor: 'cursor', server: 'github', env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_secret' } });
    const written = readJson(json.path).mcpServers.github;
    expect(written).toEqual({ command: 'docker', args: ['run', '-i', '--rm', '-e', 'GITHUB_PERSONAL_ACCESS_TOKEN', 'ghcr.io/github/github-mcp-server:v0.31.0'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_secret' } });
    expect(JSON.stringify(json)).not.toContain('ghp_secret');
  });

  it('masks a secret argument and warns when a secret lands in a project file', async () => {
    const dir = project('pg');
    const { json } = await configure({ editor: 'claude-code', scope: 'project', project_dir: dir, server: 'postgres', args: { database_url: 'postgresql://u:pw@db/x' } });
    expect(json.entry.args).toEqual(['-y', '@modelcontextprotocol/server-postgres@0.6.2', '***']);
    expect(json.warnings[0]).toMatch(/secret/);
    expect(readJson(join(dir, '.mcp.json')).mcpServers.postgres.args[2]).toBe('postgresql://u:pw@db/x');
  });

  it('spells a remote entry the editor\'s way', async () => {
    const headers = { Authorization: 'Bearer c7-key' };
    const windsurf = await configure({ editor: 'windsurf', server: 'context7', transport: 'remote', headers });
    expect(readJson(windsurf.json.path).mcpServers.context7).toEqual({ serverUrl: 'https://mcp.context7.com/mcp', headers });
    expect(windsurf.json.entry.headers).toEqual({ Authorization: '***' });
    const claude = await configure({ editor: 'claude-code', server: 'context7', transport: 'remote' });
    expect(readJson(claude.json.path).mcpServers.context7).toEqual({ type: 'http', url: 'https://mcp.context7.com/mcp' });
  });
});

describe('POST /api/mcp/remove', () => {
  it('removes one entry, keeps the others and the comments, and keeps a backup', async () => {
    const file = userFiles.zed!;
    writeFileSync(file, '{\n  // keep me\n  "context_servers": {\n    "a": { "command": "a" }, // about a\n    "b": { "command": "b" }\n  }\n}\n');
    const { status, json } = await call(server, 'POST', '/api/mcp/remove', { editor: 'zed', scope: 'user', name: 'b' });
    expect(status).toBe(200);
    expect(json).toEqual({ editor: 'zed', scope: 'user', path: file, key: 'b', backup: `${file}.atelier-backup`, removed: true });
    expect(readFileSync(file, 'utf8')).toBe('{\n  // keep me\n  "context_servers": {\n    "a": { "command": "a" } // about a\n  }\n}\n');
  });

  it('answers 404 for an entry that is not there', async () => {
    const { status } = await call(server, 'POST', '/api/mcp/remove', { editor: 'zed', name: 'never-added' });
    expect(status).toBe(404);
  });
});
