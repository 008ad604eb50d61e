import { mkdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type * as Jsonc from 'jsonc-parser';
import type { JSONPath, Node, ParseError } from 'jsonc-parser';
import { lazyModule } from '../lazy-module.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { AppError } from '../http/errors.js';
import { LSP_EDITOR_CONFIG_MAX_BYTES } from '../limits.js';
import { ToolFailure } from '../tools/failure.js';
import { resolveInRoot } from '../tools/root-path.js';
import type { LspEditorConfigFile } from '../wire/lsp.js';

/** Loaded with the first edit of an editor's settings file. */
const jsonc = lazyModule<typeof Jsonc>('jsonc-parser');

/** One change to a JSON file: the value at `path` becomes `update(current)` (current is undefined when absent). */
export interface JsonEdit {
  path: JSONPath;
  update: (current: unknown) => unknown;
}

/** A file to produce: JSON (or JSONC) merged key by key, or a text file holding one marked block of Atelier's. */
export type FilePlan =
  | { kind: 'json'; relPath: string; edits: JsonEdit[] }
  | {
      kind: 'block';
      relPath: string;
      /** Line comment of the format: `#` (TOML), `--` (Lua). */
      comment: string;
      body: string;
      /** Given the file without Atelier's block, why the block would clash with it, or null. */
      conflicts?: (outside: string) => string | null;
    };

/** A file with its new content worked out, checked, not yet written. */
export interface RenderedFile {
  /** The real path (project given) or the path relative to a project. */
  path: string;
  /** Whether there is a project to write into. */
  writable: boolean;
  previous: string | null;
  content: string;
  mode: number;
}

/** The suffix of the copy of a file's previous content kept before each write. */
export const BACKUP_SUFFIX = '.atelier-backup';

/** The lines that open and close Atelier's block in a text file. */
export function blockMarkers(comment: string): { start: string; end: string } {
  return { start: `${comment} >>> atelier lsp >>>`, end: `${comment} <<< atelier lsp <<<` };
}

function malformed(path: string, why: string): AppError {
  return new AppError(422, 'MALFORMED_CONFIG', `${path} ${why}; it was left unchanged`);
}

/** Replaces Atelier's block in `text` in place, or appends it after what is there. Refuses a start marker without its end. */
export function mergeBlock(text: string, plan: Extract<FilePlan, { kind: 'block' }>, path: string): { content: string; outside: string } {
  const { start, end } = blockMarkers(plan.comment);
  const block = `${start}\n${plan.body.replace(/\n+$/, '')}\n${end}`;
  const lines = text.split('\n');
  const from = lines.findIndex((l) => l.trim() === start);
  if (from === -1) {
    const outside = text;
    const separator = text === '' ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    return { content: `${text}${separator}${block}\n`, outside };
  }
  const to = lines.findIndex((l, i) => i > from && l.trim() === end);
  if (to === -1) throw malformed(path, `has the line "${start}" but not the line "${end}" that closes Atelier's block`);
  const before = lines.slice(0, from);
  const after = lines.slice(to + 1);
  const content = [...before, block, ...after].join('\n');
  return { content: content.endsWith('\n') ? content : `${content}\n`, outside: [...before, ...after].join('\n') };
}

/** Indentation the file already uses (tabs, or the first indented key's spaces), so our edits look like the rest. */
function indentationOf(text: string): { insertSpaces: boolean; tabSize: number } {
  if (/\n\t+"/.test(text)) return { insertSpaces: false, tabSize: 1 };
  const spaces = /\n( +)"/.exec(text)?.[1]?.length;
  return { insertSpaces: true, tabSize: spaces && spaces <= 8 ? spaces : 2 };
}

/** Applies `edits` to a JSON or JSONC document, keeping its comments, key order and other keys. */
export function mergeJson(original: string, edits: readonly JsonEdit[], path: string): string {
  let text = original.trim() === '' ? '{}\n' : original;
  const parse = (): Node => {
    const errors: ParseError[] = [];
    const tree = jsonc().parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
    const first = errors[0];
    if (first) throw malformed(path, `is not valid JSON: ${jsonc().printParseErrorCode(first.error)} at offset ${first.offset}`);
    if (!tree || tree.type !== 'object') throw malformed(path, 'does not hold a JSON object');
    return tree;
  };
  const formattingOptions = { ...indentationOf(text), eol: '\n' };
  let tree = parse();
  for (const edit of edits) {
    for (let depth = 1; depth < edit.path.length; depth++) {
      const parent = jsonc().findNodeAtLocation(tree, edit.path.slice(0, depth));
      if (parent && parent.type !== 'object') throw malformed(path, `has "${edit.path.slice(0, depth).join('.')}" that is not an object`);
    }
    const node = jsonc().findNodeAtLocation(tree, edit.path);
    const current: unknown = node ? jsonc().getNodeValue(node) : undefined;
    const next = edit.update(current);
    if (isDeepStrictEqual(current, next)) continue;
    text = jsonc().applyEdits(text, jsonc().modify(text, edit.path, next, { formattingOptions }));
    tree = parse();
  }
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Reads a file about to be merged into; null when it does not exist. Refuses directories and oversized files. */
async function readExisting(path: string): Promise<{ text: string; mode: number } | null> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if (!info.isFile()) throw malformed(path, 'is not a regular file');
  if (info.size > LSP_EDITOR_CONFIG_MAX_BYTES) throw malformed(path, `is larger than ${LSP_EDITOR_CONFIG_MAX_BYTES} bytes`);
  return { text: await readFile(path, 'utf8'), mode: info.mode & 0o777 };
}

/** Where a planned file goes: inside the project and, symlinks followed, still inside the home directory. */
async function targetPath(projectDir: string, relPath: string, homeRoot: string): Promise<string> {
  try {
    return (await resolveInRoot(homeRoot, join(projectDir, relPath))).path;
  } catch (err) {
    if (!(err instanceof ToolFailure)) throw err;
    if (err.code === 'PATH_OUTSIDE_ROOT') throw new AppError(400, 'PATH_OUTSIDE_HOME', `${relPath} in ${projectDir} leads outside your home directory: ${err.message}`);
    throw new AppError(400, err.code, err.message);
  }
}

/**
 * Works out a file's new content: the existing file (when there is a project) with Atelier's part
 * merged in. Throws 422 MALFORMED_CONFIG for a file it cannot merge into safely, and 409
 * CONFIG_CONFLICT when the rest of a file already defines what the block would.
 */
export async function renderFile(plan: FilePlan, projectDir: string | null, homeRoot: string): Promise<RenderedFile> {
  const path = projectDir ? await targetPath(projectDir, plan.relPath, homeRoot) : plan.relPath;
  const existing = projectDir ? await readExisting(path) : null;
  const previous = existing?.text ?? null;
  let content: string;
  if (plan.kind === 'json') {
    content = mergeJson(previous ?? '', plan.edits, path);
  } else {
    const merged = mergeBlock(previous ?? '', plan, path);
    const clash = plan.conflicts?.(merged.outside);
    if (clash) throw new AppError(409, 'CONFIG_CONFLICT', `${path} ${clash} outside Atelier's block; remove it there or leave that server out. The file was left unchanged`);
    content = merged.content;
  }
  return { path, writable: projectDir !== null, previous, content, mode: existing?.mode ?? 0o644 };
}

/**
 * Writes a rendered file when asked and when it changes: the previous content is kept in
 * `<file>.atelier-backup`, then the new content replaces the file atomically.
 */
export function writeRendered(file: RenderedFile, write: boolean): LspEditorConfigFile {
  const changed = file.previous !== file.content;
  if (!write || !file.writable || !changed) return { path: file.path, content: file.content, written: false, changed, backup: null };
  mkdirSync(dirname(file.path), { recursive: true });
  let backup: string | null = null;
  if (file.previous !== null) {
    backup = `${file.path}${BACKUP_SUFFIX}`;
    writeFileAtomic(backup, file.previous, file.mode);
  }
  writeFileAtomic(file.path, file.content, file.mode);
  return { path: file.path, content: file.content, written: true, changed, backup };
}
