// Where each editor keeps its MCP config on each OS (docs/registries.md, "Editor MCP config formats").
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editorFile, editorTarget, type PathContext } from '../../server/src/mcp/editors.js';
import type { McpEditor } from '../../server/src/wire/mcp.js';

const userFile = (editor: McpEditor, p: PathContext) => editorFile(editorTarget(editor)!, 'user', p);

describe('user files per platform', () => {
  const home = '/home/ada';
  const linux: PathContext = { home, platform: 'linux', env: {} };
  const mac: PathContext = { home: '/Users/ada', platform: 'darwin', env: {} };
  const win: PathContext = { home: 'C:\\Users\\ada', platform: 'win32', env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' } };

  it('Claude Desktop: Application Support on macOS, %APPDATA% on Windows, ~/.config on Linux', () => {
    expect(userFile('claude-desktop', mac)).toBe(join('/Users/ada', 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json'));
    expect(userFile('claude-desktop', win)).toBe(join('C:\\Users\\ada\\AppData\\Roaming', 'Claude', 'claude_desktop_config.json'));
    expect(userFile('claude-desktop', linux)).toBe(join(home, '.config', 'Claude', 'claude_desktop_config.json'));
  });

  it('VS Code: mcp.json in the user settings folder', () => {
    expect(userFile('vscode', mac)).toBe(join('/Users/ada', 'Library', 'Application Support', 'Code', 'User', 'mcp.json'));
    expect(userFile('vscode', win)).toBe(join('C:\\Users\\ada\\AppData\\Roaming', 'Code', 'User', 'mcp.json'));
    expect(userFile('vscode', linux)).toBe(join(home, '.config', 'Code', 'User', 'mcp.json'));
  });

  it('Zed and Crush: ~/.config (XDG_CONFIG_HOME on Linux), %APPDATA% / %LOCALAPPDATA% on Windows', () => {
    expect(userFile('zed', mac)).toBe(join('/Users/ada', '.config', 'zed', 'settings.json'));
    expect(userFile('zed', { ...linux, env: { XDG_CONFIG_HOME: '/xdg' } })).toBe(join('/xdg', 'zed', 'settings.json'));
    expect(userFile('zed', win)).toBe(join('C:\\Users\\ada\\AppData\\Roaming', 'Zed', 'settings.json'));
    expect(userFile('crush', linux)).toBe(join(home, '.config', 'crush', 'crush.json'));
    expect(userFile('crush', win)).toBe(join('C:\\Users\\ada\\AppData\\Local', 'crush', 'crush.json'));
  });

  it('Claude Code, Cursor and Windsurf: the same dotfiles on every OS', () => {
    expect(userFile('claude-code', mac)).toBe(join('/Users/ada', '.claude.json'));
    expect(userFile('cursor', win)).toBe(join('C:\\Users\\ada', '.cursor', 'mcp.json'));
    expect(userFile('windsurf', linux)).toBe(join(home, '.codeium', 'windsurf', 'mcp_config.json'));
  });

  it('has no project file for Claude Desktop and Windsurf', () => {
    expect(editorFile(editorTarget('claude-desktop')!, 'project', linux, '/p')).toBeUndefined();
    expect(editorFile(editorTarget('windsurf')!, 'project', linux, '/p')).toBeUndefined();
    expect(editorTarget('atelier')).toBeUndefined();
  });
});
