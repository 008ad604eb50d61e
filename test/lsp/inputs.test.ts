// Bad inputs to the LSP routes of a real server, whose "home" is a temp dir: project
// directories outside it, unknown servers and editors, and editor files Atelier must not touch.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { call } from './fixtures.js';

const home = tempDir('atelier-lsp-home-');
process.env.HOME = home.dir;
const outside = tempDir('atelier-lsp-outside-');

let server: TestServer;
const project = join(home.dir, 'project');

beforeAll(async () => {
  mkdirSync(project);
  symlinkSync(outside.dir, join(home.dir, 'escape'));
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
  home.remove();
  outside.remove();
});

describe('project_dir must be inside the home directory', () => {
  const routes: [string, Record<string, unknown>][] = [
    ['/api/lsp/auto-install', { dry_run: true }],
    ['/api/lsp/editor-config', { editor: 'neovim', servers: ['bash-language-server'] }],
  ];

  for (const [path, body] of routes) {
    it(`${path} refuses a directory outside home`, async () => {
      const { status, json } = await call(server, 'POST', path, { ...body, project_dir: outside.dir });
      expect(status).toBe(400);
      expect(json.code).toBe('PATH_OUTSIDE_HOME');
    });

    it(`${path} refuses a path that climbs out of home with ..`, async () => {
      const { status, json } = await call(server, 'POST', path, { ...body, project_dir: join(project, '..', '..', '..') });
      expect(status).toBe(400);
      expect(json.code).toBe('PATH_OUTSIDE_HOME');
    });

    it(`${path} refuses a symlink inside home that points outside`, async () => {
      const { status, json } = await call(server, 'POST', path, { ...body, project_dir: join(home.dir, 'escape') });
      expect(status).toBe(400);
      expect(json.code).toBe('PATH_OUTSIDE_HOME');
      expect(json.error).toContain(outside.dir);
    });
  }

  it('refuses a relative project_dir, naming the field', async () => {
    const { status, json } = await call(server, 'POST', '/api/lsp/auto-install', { project_dir: 'project' });
    expect(status).toBe(400);
    expect(json.issues).toEqual([{ path: 'project_dir', message: 'must be an absolute path' }]);
  });

  it('answers 404 for a project that does not exist', async () => {
    const { status, json } = await call(server, 'POST', '/api/lsp/auto-install', { project_dir: join(home.dir, 'nope') });
    expect(status).toBe(404);
    expect(json.code).toBe('NOT_FOUND');
  });

  it('refuses to write an editor file through a symlinked folder that leads out of home', async () => {
    const linked = join(home.dir, 'linked-project');
    mkdirSync(linked);
    symlinkSync(outside.dir, join(linked, '.helix'));
    const { status, json } = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'helix', project_dir: linked, servers: ['bash-language-server'], write: true });
    expect(status).toBe(400);
    expect(json.code).toBe('PATH_OUTSIDE_HOME');
    expect(existsSync(join(outside.dir, 'languages.toml'))).toBe(false);
  });
});

describe('unknown servers and editors', () => {
  it('answers 404 UNKNOWN_SERVER to an install of an id the registry lacks', async () => {
    const { status, json } = await call(server, 'POST', '/api/lsp/install', { id: 'no-such-server' });
    expect(status).toBe(404);
    expect(json.code).toBe('UNKNOWN_SERVER');
    expect(json.error).toContain('"no-such-server"');
  });

  it('answers 404 UNKNOWN_SERVER to a health check or an editor config naming an unknown id', async () => {
    expect((await call(server, 'GET', '/api/lsp/health?id=no-such-server')).json.code).toBe('UNKNOWN_SERVER');
    const { status, json } = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'helix', servers: ['pyright', 'nope'] });
    expect(status).toBe(404);
    expect(json.error).toContain('"nope"');
  });

  it('refuses an id that is not an id at all, naming the field', async () => {
    const { status, json } = await call(server, 'POST', '/api/lsp/install', { id: '../../etc' });
    expect(status).toBe(400);
    expect(json.issues[0].path).toBe('id');
  });

  it('refuses an unknown editor with 400, naming the field', async () => {
    const { status, json } = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'emacs' });
    expect(status).toBe(400);
    expect(json.code).toBe('VALIDATION_FAILED');
    expect(json.issues.map((i: any) => i.path)).toEqual(['editor']);
  });

  it('refuses write without project_dir, naming the field', async () => {
    const { status, json } = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'zed', write: true });
    expect(status).toBe(400);
    expect(json.issues).toEqual([{ path: 'project_dir', message: 'is required when write is true' }]);
  });

  it('refuses to install a system-packaged server, with the hint for this OS', async () => {
    const { status, json } = await call(server, 'POST', '/api/lsp/install', { id: 'clangd' });
    expect(status).toBe(422);
    expect(json.code).toBe('SYSTEM_PACKAGE');
    expect(json.error).toMatch(process.platform === 'darwin' ? /brew install llvm/ : /sudo apt install clangd/);
  });
});

describe('editor files are preserved', () => {
  it('refuses a malformed Zed settings file with 422 and leaves it byte for byte', async () => {
    const dir = join(home.dir, 'malformed-zed');
    mkdirSync(join(dir, '.zed'), { recursive: true });
    const broken = '// my settings\n{ "theme": "One Dark", }\n}\n';
    writeFileSync(join(dir, '.zed', 'settings.json'), broken);
    const { status, json } = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'zed', project_dir: dir, servers: ['bash-language-server'], write: true });
    expect(status).toBe(422);
    expect(json.code).toBe('MALFORMED_CONFIG');
    expect(json.error).toContain(join(dir, '.zed', 'settings.json'));
    expect(json.error).toMatch(/not valid JSON: EndOfFileExpected at offset \d+; it was left unchanged$/);
    expect(readFileSync(join(dir, '.zed', 'settings.json'), 'utf8')).toBe(broken);
    expect(existsSync(join(dir, '.zed', 'settings.json.atelier-backup'))).toBe(false);
  });

  it('merges into JSON with comments, keeping them, the other keys and a backup', async () => {
    const dir = join(home.dir, 'commented');
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    const before = '{\n  // team picks\n  "recommendations": ["esbenp.prettier-vscode"],\n  "unwantedRecommendations": []\n}\n';
    writeFileSync(join(dir, '.vscode', 'extensions.json'), before);
    const { status, json } = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'vscode', project_dir: dir, servers: ['yaml-language-server', 'bash-language-server'], write: true });
    expect(status, JSON.stringify(json)).toBe(200);
    const after = readFileSync(join(dir, '.vscode', 'extensions.json'), 'utf8');
    expect(after).toContain('// team picks');
    expect(after).toContain('"unwantedRecommendations": []');
    expect(after).toMatch(/"recommendations": \[\s*"esbenp\.prettier-vscode",\s*"redhat\.vscode-yaml",\s*"mads-hartmann\.bash-ide-vscode"\s*\]/);
    expect(readFileSync(join(dir, '.vscode', 'extensions.json.atelier-backup'), 'utf8')).toBe(before);
    // Nothing left to add: the second write changes nothing and writes nothing.
    const again = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'vscode', project_dir: dir, servers: ['yaml-language-server'], write: true });
    expect(again.json.files[0]).toMatchObject({ written: false, changed: false, backup: null });
  });

  it('refuses a Helix file that already defines the server outside its block (409), leaving it unchanged', async () => {
    const dir = join(home.dir, 'helix-conflict');
    mkdirSync(join(dir, '.helix'), { recursive: true });
    const before = '[language-server.bash-language-server]\ncommand = "my-bash-ls"\n';
    writeFileSync(join(dir, '.helix', 'languages.toml'), before);
    const { status, json } = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'helix', project_dir: dir, servers: ['bash-language-server'], write: true });
    expect(status).toBe(409);
    expect(json.code).toBe('CONFIG_CONFLICT');
    expect(json.error).toContain('already defines [language-server.bash-language-server]');
    expect(readFileSync(join(dir, '.helix', 'languages.toml'), 'utf8')).toBe(before);
  });

  it('configures a server that is not installed by its bare command, and says so', async () => {
    const { status, json } = await call(server, 'POST', '/api/lsp/editor-config', { editor: 'helix', servers: ['pyright'] });
    expect(status).toBe(200);
    expect(json.files[0].content).toContain('[language-server.pyright]\ncommand = "pyright-langserver"\nargs = ["--stdio"]');
    expect(json.notes).toContain('pyright is not installed: configured with the bare command "pyright-langserver", found on PATH when the editor starts it');
  });
});
