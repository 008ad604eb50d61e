import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { LspEditor } from '../wire/lsp.js';
import type { FilePlan, JsonEdit } from './config-files.js';
import type { LspServerSpec } from './registry.js';
import { issuesText } from '../issues-text.js';

/** A server to configure: its spec and the absolute path of its binary, or null to use the bare command (not installed). */
export interface ConfiguredServer {
  spec: LspServerSpec;
  path: string | null;
}

/** The files for one editor, which servers they configure and what was left out. */
export interface EditorPlan {
  files: FilePlan[];
  configured: string[];
  notes: string[];
}

/**
 * VS Code settings that point an extension at a server binary (vscode-settings.json), per
 * registry id: `path` writes the path as a string, `path_list` as a one-element array.
 */
const VscodeSettingsSchema = z.record(z.string(), z.array(z.strictObject({ key: z.array(z.string().min(1)).min(1), value: z.enum(['path', 'path_list']) })));
export type VscodeSettings = z.infer<typeof VscodeSettingsSchema>;

/** Loads vscode-settings.json (next to the registry); a broken file stops the server. */
export function loadVscodeSettings(rootDir: string): VscodeSettings {
  const file = join(rootDir, 'server', 'src', 'lsp', 'vscode-settings.json');
  const parsed = VscodeSettingsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`Invalid ${file}: ${issuesText(parsed.error.issues)}`);
  return parsed.data;
}

/** A Lua string literal. */
export function luaString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** A TOML basic string: JSON's escapes are TOML's, and TOML also wants DEL escaped. */
export function tomlString(s: string): string {
  return JSON.stringify(s).replace(/\u007f/g, '\\u007F');
}

/** A TOML key: bare when TOML allows it, quoted otherwise. */
export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/** `current` (when a list) with each of `wanted` added unless present or disabled (`!name`); new entries go before `rest` ("..."). */
export function mergeList(current: unknown, wanted: readonly string[], rest?: string): string[] {
  if (!Array.isArray(current)) return rest ? [...wanted, rest] : [...wanted];
  const list = [...current] as string[];
  for (const name of wanted) {
    if (list.includes(name) || list.includes(`!${name}`)) continue;
    const at = rest ? list.indexOf(rest) : -1;
    if (at === -1) list.push(name);
    else list.splice(at, 0, name);
  }
  return list;
}

function commandOf(server: ConfiguredServer): string {
  return server.path ?? server.spec.command;
}

function notInstalledNotes(servers: readonly ConfiguredServer[]): string[] {
  return servers.filter((s) => s.path === null).map((s) => `${s.spec.id} is not installed: configured with the bare command "${s.spec.command}", found on PATH when the editor starts it`);
}

/** Neovim ≥ 0.11: `vim.lsp.config` sets each binary, `vim.lsp.enable` turns them on, in the project's `.nvim.lua`. */
function neovim(servers: readonly ConfiguredServer[]): EditorPlan {
  const usable = servers.filter((s) => s.spec.editors.neovim);
  const notes = servers.filter((s) => !s.spec.editors.neovim).map((s) => `${s.spec.id}: Neovim has no configuration for it`);
  if (usable.length === 0) return { files: [], configured: [], notes };
  const names = usable.map((s) => s.spec.editors.neovim!.lspconfig);
  const body = [
    '-- Language servers configured by Atelier (Neovim 0.11+: vim.lsp.config / vim.lsp.enable).',
    "-- Neovim runs this project file when 'exrc' is on (vim.o.exrc = true) and you have trusted it.",
    '-- nvim-lspconfig supplies filetypes and root markers; these lines choose the binaries.',
    ...usable.map((s) => `vim.lsp.config(${luaString(s.spec.editors.neovim!.lspconfig)}, { cmd = { ${[commandOf(s), ...s.spec.args].map(luaString).join(', ')} } })`),
    `vim.lsp.enable({ ${names.map(luaString).join(', ')} })`,
  ].join('\n');
  return { files: [{ kind: 'block', relPath: '.nvim.lua', comment: '--', body }], configured: usable.map((s) => s.spec.id), notes: [...notes, ...notInstalledNotes(usable)] };
}

/** Why Helix's file would break with our block: a `[language-server.<key>]` table it already defines (TOML forbids defining a table twice). */
function helixConflicts(keys: readonly string[]): (outside: string) => string | null {
  return (outside) => {
    let table = '';
    for (const raw of outside.split('\n')) {
      const line = raw.replace(/\s+#.*$|^#.*$/, '').trim();
      if (line.startsWith('[[')) {
        table = line;
        continue;
      }
      const header = /^\[([^[\]]+)\]$/.exec(line);
      if (header) {
        table = header[1]!.replace(/\s+/g, '').replace(/"/g, '');
        const key = keys.find((k) => table === `language-server.${k}`);
        if (key) return `already defines [language-server.${key}]`;
        continue;
      }
      // Keys assigned at the top or in [language-server] define the table too (dotted keys); a sub-table's keys do not.
      const assigned = /^"?([A-Za-z0-9_.-]+?)"?\s*=/.exec(line)?.[1];
      if (!assigned || (table !== '' && table !== 'language-server')) continue;
      const full = table === '' ? assigned : `${table}.${assigned}`;
      const key = keys.find((k) => full === `language-server.${k}` || full.startsWith(`language-server.${k}.`));
      if (key) return `already defines language-server.${key}`;
    }
    return null;
  };
}

/** Helix: `[language-server.<key>]` command/args, and `[[language]]` entries listing them, in `.helix/languages.toml`. */
function helix(servers: readonly ConfiguredServer[]): EditorPlan {
  const usable = servers.filter((s) => s.spec.editors.helix);
  const notes = servers.filter((s) => !s.spec.editors.helix).map((s) => `${s.spec.id}: Helix has no configuration for it`);
  if (usable.length === 0) return { files: [], configured: [], notes };
  const byLanguage = new Map<string, string[]>();
  const lines = ['# Language servers configured by Atelier. Helix merges this file over its built-in languages.toml;', '# each [[language]] below replaces that language\'s list of servers.'];
  for (const s of usable) {
    const { language_server: key, languages } = s.spec.editors.helix!;
    lines.push('', `[language-server.${tomlKey(key)}]`, `command = ${tomlString(commandOf(s))}`, `args = [${s.spec.args.map(tomlString).join(', ')}]`);
    for (const language of languages) byLanguage.set(language, [...(byLanguage.get(language) ?? []), key]);
  }
  for (const [language, keys] of byLanguage) lines.push('', '[[language]]', `name = ${tomlString(language)}`, `language-servers = [${keys.map(tomlString).join(', ')}]`);
  const keys = usable.map((s) => s.spec.editors.helix!.language_server);
  return {
    files: [{ kind: 'block', relPath: join('.helix', 'languages.toml'), comment: '#', body: lines.join('\n'), conflicts: helixConflicts(keys) }],
    configured: usable.map((s) => s.spec.id),
    notes: [...notes, ...notInstalledNotes(usable)],
  };
}

/** Zed: `lsp.<key>.binary` {path, arguments} and each language's `language_servers` (ours first, then "..."), in `.zed/settings.json`. */
function zed(servers: readonly ConfiguredServer[]): EditorPlan {
  const usable = servers.filter((s) => s.spec.editors.zed);
  const notes = servers.filter((s) => !s.spec.editors.zed).map((s) => `${s.spec.id}: Zed has no language server entry for it`);
  if (usable.length === 0) return { files: [], configured: [], notes };
  const edits: JsonEdit[] = [];
  const byLanguage = new Map<string, string[]>();
  for (const s of usable) {
    const { language_server: key, languages } = s.spec.editors.zed!;
    if (s.path !== null) {
      const binary = { path: s.path, arguments: s.spec.args };
      edits.push({ path: ['lsp', key, 'binary'], update: (current) => ({ ...(isObject(current) ? current : {}), ...binary }) });
    } else {
      notes.push(`${s.spec.id} is not installed: Zed is told to use it but not where its binary is`);
    }
    for (const language of languages) byLanguage.set(language, [...(byLanguage.get(language) ?? []), key]);
  }
  for (const [language, keys] of byLanguage) edits.push({ path: ['languages', language, 'language_servers'], update: (current) => mergeList(current, keys, '...') });
  return { files: [{ kind: 'json', relPath: join('.zed', 'settings.json'), edits }], configured: usable.map((s) => s.spec.id), notes };
}

/** VS Code: the extensions to recommend in `.vscode/extensions.json`, and in `.vscode/settings.json` the settings that take a server path. */
function vscode(servers: readonly ConfiguredServer[], settings: VscodeSettings): EditorPlan {
  const notes: string[] = [];
  const extensions: string[] = [];
  const settingEdits: JsonEdit[] = [];
  const configured: string[] = [];
  for (const s of servers) {
    const { extension, builtin } = s.spec.editors.vscode;
    if (builtin) notes.push(`${s.spec.id}: VS Code has this support built in; no extension to recommend`);
    if (extension && !extensions.includes(extension)) extensions.push(extension);
    const pathSettings = settings[s.spec.id] ?? [];
    if (s.path !== null) {
      for (const setting of pathSettings) {
        const value = setting.value === 'path' ? s.path : [s.path];
        settingEdits.push({ path: setting.key, update: () => value });
      }
    }
    if (extension && pathSettings.length === 0) notes.push(`${s.spec.id}: the ${extension} extension runs a server of its own; it has no setting for Atelier's binary`);
    if (extension && pathSettings.length > 0 && s.path === null) notes.push(`${s.spec.id} is not installed: ${extension} will look for its server itself`);
    if (extension || builtin) configured.push(s.spec.id);
  }
  const files: FilePlan[] = [];
  if (extensions.length > 0) files.push({ kind: 'json', relPath: join('.vscode', 'extensions.json'), edits: [{ path: ['recommendations'], update: (current) => mergeList(current, extensions) }] });
  if (settingEdits.length > 0) files.push({ kind: 'json', relPath: join('.vscode', 'settings.json'), edits: settingEdits });
  return { files, configured, notes };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The files each editor needs for `servers`. */
export function planEditorConfig(editor: LspEditor, servers: readonly ConfiguredServer[], settings: VscodeSettings): EditorPlan {
  const planners: Record<LspEditor, () => EditorPlan> = {
    vscode: () => vscode(servers, settings),
    neovim: () => neovim(servers),
    helix: () => helix(servers),
    zed: () => zed(servers),
  };
  return planners[editor]();
}
