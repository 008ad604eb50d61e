import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadToolCatalog, parseToolCatalog, toolCatalogPath } from '../../server/src/system/catalog.js';

const ROOT_DIR = fileURLToPath(new URL('../../', import.meta.url));
const entry = { id: 'x', name: 'X', category: 'test', bin: 'x', version_args: ['--version'], homepage: 'https://example.com' };

describe('tool catalog', () => {
  it('ships at least 30 valid tools, including the AI CLIs and the usual toolchain', () => {
    const ids = loadToolCatalog(toolCatalogPath(ROOT_DIR)).map((t) => t.id);
    expect(ids.length).toBeGreaterThanOrEqual(30);
    for (const id of ['crush', 'claude', 'codex', 'opencode', 'gemini', 'git', 'gh', 'node', 'npm', 'pnpm', 'yarn', 'bun', 'deno', 'python', 'pip', 'uv', 'go', 'cargo', 'rustc', 'java', 'docker', 'podman', 'kubectl', 'helm', 'terraform', 'code', 'nvim', 'vim', 'tmux', 'ssh', 'curl', 'make', 'gcc']) {
      expect(ids, id).toContain(id);
    }
  });

  it('turns bins alternatives into an ordered list and compiles the version pattern', () => {
    const python = loadToolCatalog(toolCatalogPath(ROOT_DIR)).find((t) => t.id === 'python')!;
    expect(python.bins).toEqual(['python3', 'python']);
    const [java] = parseToolCatalog([{ ...entry, version_pattern: 'version "([^"]+)"' }], 'inline');
    expect(java!.versionPattern).toBeInstanceOf(RegExp);
  });

  it('names the file and the field when an entry is invalid', () => {
    expect(() => parseToolCatalog([{ ...entry, homepage: 'not a url' }], '/x/tools.json')).toThrow(/Invalid tool catalog \/x\/tools\.json: 0\.homepage/);
  });

  it('refuses an entry with both bin and bins', () => {
    expect(() => parseToolCatalog([{ ...entry, bins: ['y'] }], 'inline')).toThrow(/exactly one of "bin" or "bins"/);
  });

  it('refuses duplicate tool ids', () => {
    expect(() => parseToolCatalog([entry, entry], 'inline')).toThrow(/duplicate tool id "x"/);
  });

  it('refuses a version pattern that is not a regular expression', () => {
    expect(() => parseToolCatalog([{ ...entry, version_pattern: '(' }], 'inline')).toThrow(/version_pattern: not a valid regular expression/);
  });

  it('fails loudly with the file name when the file is not JSON', () => {
    expect(() => loadToolCatalog('/nonexistent/tools.json')).toThrow(/Cannot read tool catalog \/nonexistent\/tools\.json/);
    expect(() => JSON.parse(readFileSync(toolCatalogPath(ROOT_DIR), 'utf8'))).not.toThrow();
  });
});
