import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerminalThemeSchema, type TerminalTheme } from '../wire/terminal.js';

/**
 * Loads every themes/*.json, validated. A broken theme file stops the server with its name:
 * shipping a theme xterm cannot render is a bug to fix, not to hide.
 */
export function loadThemes(dir: string): TerminalTheme[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return files.map((file) => {
    const path = join(dir, file);
    const result = TerminalThemeSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!result.success) throw new Error(`Invalid terminal theme ${path}: ${result.error.message}`);
    if (`${result.data.name}.json` !== file) throw new Error(`Terminal theme ${path} must be named ${result.data.name}.json`);
    return result.data;
  });
}
