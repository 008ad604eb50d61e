import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { McpEditor, McpEditorInfo, McpScope } from '../wire/mcp.js';

/**
 * Where each editor keeps its MCP servers and how it spells an entry, as data (sources in
 * docs/registries.md, "Editor MCP config formats"). The file code is generic: it reads this.
 */

/** What a user file's location depends on; a seam for tests of other platforms. */
export interface PathContext {
  home: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
}

/** An editor whose own config file Atelier edits. */
export interface EditorTarget {
  id: Exclude<McpEditor, 'atelier'>;
  title: string;
  /** `jsonc`: the editor reads comments and trailing commas, so a file may hold them and they are kept. */
  format: 'json' | 'jsonc';
  /** The top-level key holding the servers object. */
  serversKey: string;
  userFile?: (p: PathContext) => string;
  projectFile?: (projectDir: string) => string;
  /** Whether a stdio entry carries `"type": "stdio"`. */
  stdioType: boolean;
  /** How a remote entry is spelled; null when the file takes none. */
  remote: { urlKey: 'url' | 'serverUrl'; writesType: boolean } | null;
}

/** XDG config home on Linux; ~/.config elsewhere (Zed and Crush use it on macOS too). */
function configHome(p: PathContext): string {
  return (p.platform === 'linux' && p.env.XDG_CONFIG_HOME) || join(p.home, '.config');
}

/** Electron's per-user app data folder (VS Code, Claude Desktop). */
function appData(p: PathContext): string {
  if (p.platform === 'win32') return p.env.APPDATA || join(p.home, 'AppData', 'Roaming');
  if (p.platform === 'darwin') return join(p.home, 'Library', 'Application Support');
  return configHome(p);
}

/** Every editor target, in the order the studio lists them. */
export const EDITOR_TARGETS: readonly EditorTarget[] = [
  {
    id: 'claude-code',
    title: 'Claude Code',
    format: 'json',
    serversKey: 'mcpServers',
    // ~/.claude.json is also Claude Code's state file: only the one entry is ever touched.
    userFile: (p) => join(p.home, '.claude.json'),
    projectFile: (dir) => join(dir, '.mcp.json'),
    stdioType: true,
    remote: { urlKey: 'url', writesType: true },
  },
  {
    id: 'claude-desktop',
    title: 'Claude Desktop',
    format: 'json',
    serversKey: 'mcpServers',
    // Linux has no official build; ~/.config/Claude is where community builds look.
    userFile: (p) => join(appData(p), 'Claude', 'claude_desktop_config.json'),
    stdioType: false,
    remote: null,
  },
  {
    id: 'cursor',
    title: 'Cursor',
    format: 'json',
    serversKey: 'mcpServers',
    userFile: (p) => join(p.home, '.cursor', 'mcp.json'),
    projectFile: (dir) => join(dir, '.cursor', 'mcp.json'),
    stdioType: false,
    remote: { urlKey: 'url', writesType: false },
  },
  {
    id: 'vscode',
    title: 'VS Code',
    format: 'jsonc',
    serversKey: 'servers',
    userFile: (p) => join(appData(p), 'Code', 'User', 'mcp.json'),
    projectFile: (dir) => join(dir, '.vscode', 'mcp.json'),
    stdioType: true,
    remote: { urlKey: 'url', writesType: true },
  },
  {
    id: 'windsurf',
    title: 'Windsurf',
    format: 'json',
    serversKey: 'mcpServers',
    userFile: (p) => join(p.home, '.codeium', 'windsurf', 'mcp_config.json'),
    stdioType: false,
    // Windsurf's docs accept `url` too, but one vendor reports only `serverUrl` connects.
    remote: { urlKey: 'serverUrl', writesType: false },
  },
  {
    id: 'zed',
    title: 'Zed',
    format: 'jsonc',
    serversKey: 'context_servers',
    userFile: (p) => (p.platform === 'win32' ? join(appData(p), 'Zed', 'settings.json') : join(configHome(p), 'zed', 'settings.json')),
    projectFile: (dir) => join(dir, '.zed', 'settings.json'),
    stdioType: false,
    remote: { urlKey: 'url', writesType: false },
  },
  {
    id: 'crush',
    title: 'Crush',
    format: 'json',
    serversKey: 'mcp',
    userFile: (p) =>
      p.platform === 'win32' ? join(p.env.LOCALAPPDATA || join(p.home, 'AppData', 'Local'), 'crush', 'crush.json') : join(p.env.XDG_CONFIG_HOME || join(p.home, '.config'), 'crush', 'crush.json'),
    // Crush reads .crush.json before crush.json: write the one it would read.
    projectFile: (dir) => (existsSync(join(dir, '.crush.json')) ? join(dir, '.crush.json') : join(dir, 'crush.json')),
    stdioType: true,
    remote: { urlKey: 'url', writesType: true },
  },
];

/** The editor target of an id; undefined for `atelier`. */
export function editorTarget(id: McpEditor): EditorTarget | undefined {
  return EDITOR_TARGETS.find((e) => e.id === id);
}

/** The file of an editor in a scope, or undefined when the editor has no such scope. */
export function editorFile(target: EditorTarget, scope: McpScope, p: PathContext, projectDir?: string): string | undefined {
  if (scope === 'user') return target.userFile?.(p);
  return projectDir === undefined ? undefined : target.projectFile?.(projectDir);
}

/** A directory that does not exist, to show project files relative to "the project". */
const PROJECT_PLACEHOLDER = join(sep, 'nonexistent-atelier-project');

/** The editors as GET /api/mcp/registry lists them (project files relative to the project). */
export function editorInfos(p: PathContext, atelierPath: string): McpEditorInfo[] {
  const infos: McpEditorInfo[] = EDITOR_TARGETS.map((e) => ({
    id: e.id,
    title: e.title,
    scopes: {
      ...(e.userFile && { user: e.userFile(p) }),
      ...(e.projectFile && { project: relative(PROJECT_PLACEHOLDER, e.projectFile(PROJECT_PLACEHOLDER)) }),
    },
    servers_key: e.serversKey,
    format: e.format,
    remote: e.remote !== null,
  }));
  infos.push({ id: 'atelier', title: 'Atelier', scopes: { user: atelierPath }, servers_key: 'mcp_servers', format: 'sqlite', remote: true });
  return infos;
}
