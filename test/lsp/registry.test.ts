// The registry is data validated at start: the shipped file loads, a broken entry stops the server naming it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadVscodeSettings } from '../../server/src/lsp/editor-config.js';
import { loadLspRegistry, lspRegistryPath, parseLspRegistry } from '../../server/src/lsp/registry.js';
import { ROOT_DIR } from '../../server/src/server.js';

const shipped = (): any[] => JSON.parse(readFileSync(lspRegistryPath(ROOT_DIR), 'utf8'));

describe('the LSP registry', () => {
  it('loads the 18 shipped servers with unique ids', () => {
    const servers = loadLspRegistry(lspRegistryPath(ROOT_DIR));
    expect(servers).toHaveLength(18);
    expect(new Set(servers.map((s) => s.id)).size).toBe(18);
    expect(servers.find((s) => s.id === 'typescript-language-server')?.install).toEqual({ method: 'npm', package: 'typescript-language-server', version: '^5', extra_packages: ['typescript@^6'] });
  });

  it('names the entry and the field of a malformed entry', () => {
    const json = shipped();
    json[2].command = '/usr/bin/bash-language-server';
    expect(() => parseLspRegistry(json, 'registry.json')).toThrow(/^Invalid LSP registry registry\.json: entry "bash-language-server": command: must be a bare executable name \(no path\)$/);
  });

  it('refuses an install method it does not know, naming the entry', () => {
    const json = shipped();
    json[0].install = { method: 'brew', formula: 'x' };
    expect(() => parseLspRegistry(json, 'r.json')).toThrow(/entry "typescript-language-server": install\.method: /);
  });

  it('refuses fields a method does not have (a system entry must carry hints for each OS)', () => {
    const json = shipped();
    const marksman = json.find((e) => e.id === 'marksman');
    marksman.install.hints = { debian: 'x', macos: 'y' };
    expect(() => parseLspRegistry(json, 'r.json')).toThrow(/entry "marksman": install\.hints\.windows/);
  });

  it('refuses duplicate ids and an entry without an id, by index', () => {
    const json = shipped();
    json.push({ ...json[0] });
    json.push({ name: 'nameless' });
    expect(() => parseLspRegistry(json, 'r.json')).toThrow(/entry "typescript-language-server": duplicate id \| entry #19: /);
  });

  it('loads the VS Code server-path settings for registry ids', () => {
    const settings = loadVscodeSettings(ROOT_DIR);
    const ids = new Set(loadLspRegistry(lspRegistryPath(ROOT_DIR)).map((s) => s.id));
    expect(Object.keys(settings).every((id) => ids.has(id))).toBe(true);
    expect(settings.clangd).toEqual([{ key: ['clangd.path'], value: 'path' }]);
  });
});
