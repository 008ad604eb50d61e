// Auto-install's detection: a bounded walk that skips dependency and build folders, and one primary server per extension.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanProject, selectServers } from '../../server/src/lsp/detect.js';
import { loadLspRegistry, lspRegistryPath } from '../../server/src/lsp/registry.js';
import { ROOT_DIR } from '../../server/src/server.js';
import { tempDir } from '../helpers/temp.js';

const registry = loadLspRegistry(lspRegistryPath(ROOT_DIR));
const scratch = tempDir('atelier-lsp-detect-');
afterAll(() => scratch.remove());

let n = 0;
function project(files: string[]): string {
  const root = join(scratch.dir, `p${n++}`);
  mkdirSync(root);
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  return root;
}

const detect = async (files: string[]) => Object.fromEntries(selectServers(registry, await scanProject(project(files))).map((d) => [d.server.id, d.detectedBy]));

describe('detecting a project\'s languages', () => {
  it('skips node_modules, .git, build output and virtualenvs', async () => {
    const found = await detect(['src/main.go', 'node_modules/x/a.ts', '.git/hooks/pre-commit.sh', 'dist/b.js', 'target/c.rs', '.venv/lib/d.py', 'vendor/e.lua', 'coverage/f.html']);
    expect(Object.keys(found)).toEqual(['gopls']);
  });

  it('gives Python to pyright, and ruff only when the project has a ruff config', async () => {
    const plain = await detect(['app.py', 'pyproject.toml']);
    expect(plain.pyright).toEqual(['*.py', 'pyproject.toml']);
    expect(plain.ruff).toBeUndefined();
    const withRuff = await detect(['app.py', 'pyproject.toml', 'ruff.toml']);
    expect(withRuff.ruff).toEqual(['*.py', 'pyproject.toml', 'ruff.toml']);
  });

  it('proposes Tailwind only with its config, and the CSS server for .css without it', async () => {
    expect(Object.keys(await detect(['index.html', 'style.css']))).toEqual(['vscode-css-language-server', 'vscode-html-language-server']);
    expect(Object.keys(await detect(['index.html', 'tailwind.config.js']))).toEqual(['typescript-language-server', 'vscode-html-language-server', 'tailwindcss-language-server']);
  });

  it('recognises markers without extensions, and their variants (Dockerfile.dev)', async () => {
    expect(await detect(['deploy/Dockerfile.dev'])).toEqual({ 'dockerfile-language-server': ['Dockerfile'] });
    expect(await detect(['go.mod'])).toEqual({ gopls: ['go.mod'] });
  });

  it('proposes nothing for a shared marker alone: package.json brings the JSON server, not TypeScript, CSS or HTML', async () => {
    expect(await detect(['package.json', 'README'])).toEqual({ 'vscode-json-language-server': ['*.json'] });
  });

  it('stops at its depth and entry limits, saying so', async () => {
    const deep = project(['a/b/c/d/e/f/g/deep.rs', 'top.go']);
    const shallow = selectServers(registry, await scanProject(deep, { maxDepth: 6 }));
    expect(shallow.map((d) => d.server.id)).toEqual(['gopls']);
    const many = project(Array.from({ length: 30 }, (_, i) => `f${i}.ts`));
    const scan = await scanProject(many, { maxEntries: 10 });
    expect(scan).toMatchObject({ entries: 10, truncated: true });
  });

  it('does not follow a symlinked directory', async () => {
    const root = project(['a.ts']);
    const elsewhere = project(['x.go']);
    symlinkSync(elsewhere, join(root, 'linked'));
    const scan = await scanProject(root);
    expect([...scan.extensions.keys()]).toEqual(['.ts']);
  });
});
