import { chmodSync, lstatSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import { AppError } from '../http/errors.js';
import { MCP_EDITOR_CONFIG_MAX_BYTES } from '../limits.js';
import { editProperty, JsonEditError, parseJson, type JsonFlavor } from './jsonc-edit.js';

/**
 * Reading and writing one editor config file: refuse a malformed file without touching it,
 * change one entry with minimal edits, keep the previous file as `<file>.atelier-backup`, and
 * replace the file atomically with its mode kept. Everything between read and write is
 * synchronous, so two requests on the same file cannot interleave.
 */

/** Suffix of the copy of the file as it was before Atelier's last change. */
export const BACKUP_SUFFIX = '.atelier-backup';

/** Mode of a config file Atelier creates: it may hold secrets. */
const NEW_FILE_MODE = 0o600;

const BOM = '\uFEFF';

/** A config file as read: its text and, when it parses, its servers object. */
export interface EditorConfig {
  /** The real file (symlinks followed): what is read and written. */
  real: string;
  exists: boolean;
  text: string;
  mode: number;
  /** The servers object, empty when the file or the key is absent. */
  servers: Record<string, unknown>;
}

function flavorName(flavor: JsonFlavor): string {
  return flavor === 'json' ? 'JSON' : 'JSON with comments';
}

function malformed(path: string, why: string): AppError {
  return new AppError(422, 'EDITOR_CONFIG_MALFORMED', `${path} ${why}; Atelier left it untouched`);
}

/** Follows a symlinked config file (dotfile managers link them) so the link itself survives the write. */
function realFile(path: string): { real: string; exists: boolean } {
  try {
    const stat = lstatSync(path);
    if (!stat.isSymbolicLink()) return { real: path, exists: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { real: path, exists: false };
    throw err;
  }
  try {
    return { real: realpathSync(path), exists: true };
  } catch {
    throw new AppError(409, 'CONFLICT', `${path} is a symbolic link to a missing file; Atelier will not write through it`);
  }
}

/**
 * Reads `path` as the editor would (strict JSON or JSONC). Throws 422 EDITOR_CONFIG_MALFORMED
 * when it does not parse, its root is not an object, or `serversKey` holds something else.
 */
export function readEditorConfig(path: string, flavor: JsonFlavor, serversKey: string): EditorConfig {
  const { real, exists } = realFile(path);
  if (!exists) return { real, exists, text: '', mode: NEW_FILE_MODE, servers: {} };
  const stat = statSync(real);
  if (!stat.isFile()) throw malformed(path, 'is not a regular file');
  if (stat.size > MCP_EDITOR_CONFIG_MAX_BYTES) throw malformed(path, `is larger than ${MCP_EDITOR_CONFIG_MAX_BYTES} bytes`);
  const text = readFileSync(real, 'utf8');
  const parsed = parseJson(text.startsWith(BOM) ? text.slice(1) : text, flavor);
  if (parsed.errors.length > 0) throw malformed(path, `is not valid ${flavorName(flavor)}: ${parsed.errors.slice(0, 3).join('; ')}`);
  if (parsed.tree === undefined) return { real, exists, text, mode: stat.mode & 0o7777, servers: {} };
  if (parsed.tree.type !== 'object') throw malformed(path, `holds a ${parsed.tree.type}, not an object`);
  const servers = (parsed.value as Record<string, unknown>)[serversKey];
  if (servers !== undefined && (typeof servers !== 'object' || servers === null || Array.isArray(servers))) {
    throw malformed(path, `has "${serversKey}" that is not an object`);
  }
  return { real, exists, text, mode: stat.mode & 0o7777, servers: (servers as Record<string, unknown> | undefined) ?? {} };
}

/** What a write did. */
export interface EditorWrite {
  /** The backup of the previous file, when there was one. */
  backup?: string;
  /** True when an entry of the same name was there before. */
  replaced: boolean;
}

/**
 * Sets (`entry`) or removes (`undefined`) `serversKey.name` in the file at `path`, creating the
 * file and its folders when missing. Removing an entry that is not there is 404 NOT_FOUND.
 */
export function writeEditorEntry(path: string, flavor: JsonFlavor, serversKey: string, name: string, entry: Record<string, unknown> | undefined): EditorWrite {
  const config = readEditorConfig(path, flavor, serversKey);
  const replaced = Object.hasOwn(config.servers, name);
  if (entry === undefined && !replaced) throw new AppError(404, 'NOT_FOUND', `No MCP server "${name}" under "${serversKey}" in ${path}`);
  const bom = config.text.startsWith(BOM) ? BOM : '';
  let next: string;
  try {
    next = bom + editProperty(config.text.slice(bom.length), flavor, serversKey, name, entry);
  } catch (err) {
    if (err instanceof JsonEditError) throw new AppError(500, 'EDITOR_CONFIG_EDIT_FAILED', `Could not edit ${path}: ${err.message}; Atelier left it untouched`);
    throw err;
  }
  let backup: string | undefined;
  if (config.exists) {
    backup = `${config.real}${BACKUP_SUFFIX}`;
    writeFileAtomic(backup, config.text, config.mode);
  } else {
    mkdirSync(dirname(config.real), { recursive: true });
  }
  writeFileAtomic(config.real, next, config.mode);
  // The temp file's mode passed through the umask; the file keeps exactly the mode it had.
  if (config.exists) chmodSync(config.real, config.mode);
  return { ...(backup !== undefined && { backup }), replaced };
}
