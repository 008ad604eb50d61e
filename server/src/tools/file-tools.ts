import { lstat, mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { LIST_DIR_MAX_ENTRIES, READ_FILE_DEFAULT_LINES, READ_FILE_MAX_BYTES, TOOL_OUTPUT_MAX_BYTES, WRITE_FILE_MAX_BYTES } from '../limits.js';
import { fsStep, ToolFailure } from './failure.js';
import { formatBytes } from './process.js';
import { resolveInRoot } from './root-path.js';
import { defineTool, type ToolRunContext } from './tool.js';

const PathArg = z.string().min(1).max(4096);
/** Bytes looked at to tell text from binary (as git does: a NUL byte means binary). */
const BINARY_SNIFF_BYTES = 8 * 1024;

/** Resolves a path that must name an existing entry; returns its real path and stat. */
async function existing(ctx: ToolRunContext, input: string) {
  const { path, exists } = await resolveInRoot(ctx.root, input, ctx.cwd);
  if (!exists) throw new ToolFailure('NOT_FOUND', `No such file or directory: ${input}`);
  const info = await fsStep(stat(path), input);
  return { path, info };
}

/** Decodes text, or says why the bytes are not text. */
function decodeText(bytes: Buffer, input: string): string {
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) throw new ToolFailure('BINARY_FILE', `${input} is a binary file (it contains NUL bytes); read_file returns text only`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ToolFailure('BINARY_FILE', `${input} is not UTF-8 text; read_file returns text only`);
  }
}

/** `read_file`: a text file, or a window of its lines. */
export const readFileTool = defineTool({
  name: 'read_file',
  description:
    'Read a UTF-8 text file inside the home directory. Returns up to `limit` lines starting at line `offset` (1-based), ' +
    `by default the first ${READ_FILE_DEFAULT_LINES}; a note at the end says how to read on. Binary files and files over ${formatBytes(READ_FILE_MAX_BYTES)} are refused.`,
  input: z.strictObject({
    path: PathArg.describe('File path, absolute or relative to the home directory'),
    offset: z.number().int().min(1).optional().describe('First line to return, 1-based (default 1)'),
    limit: z.number().int().min(1).max(100_000).optional().describe(`Most lines to return (default ${READ_FILE_DEFAULT_LINES})`),
  }),
  async run(args, ctx) {
    const { path, info } = await existing(ctx, args.path);
    if (info.isDirectory()) throw new ToolFailure('IS_A_DIRECTORY', `${args.path} is a directory; use list_dir to see what it holds`);
    if (!info.isFile()) throw new ToolFailure('NOT_A_FILE', `${args.path} is not a regular file (a device, socket or pipe)`);
    if (info.size > READ_FILE_MAX_BYTES) {
      throw new ToolFailure('FILE_TOO_LARGE', `${args.path} is ${formatBytes(info.size)}; read_file reads files up to ${formatBytes(READ_FILE_MAX_BYTES)} (use terminal with head, tail or grep)`);
    }
    const text = decodeText(await fsStep(readFile(path), args.path), args.path);
    if (text === '') return { content: '(empty file)', is_error: false };
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const first = args.offset ?? 1;
    if (first > lines.length) return { content: `(${args.path} has ${lines.length} lines; offset ${first} is past the end)`, is_error: false };
    const wanted = lines.slice(first - 1, first - 1 + (args.limit ?? READ_FILE_DEFAULT_LINES));
    let bytes = 0;
    let taken = 0;
    for (const line of wanted) {
      bytes += Buffer.byteLength(line) + 1;
      if (bytes > TOOL_OUTPUT_MAX_BYTES && taken > 0) break;
      taken++;
    }
    const last = first + taken - 1;
    const body = wanted.slice(0, taken).join('\n');
    if (first === 1 && last === lines.length) return { content: body, is_error: false };
    const more = last < lines.length ? `; call again with offset=${last + 1} to read on` : '';
    return { content: `${body}\n[lines ${first}–${last} of ${lines.length}${more}]`, is_error: false };
  },
});

/** `write_file`: creates or replaces a text file. */
export const writeFileTool = defineTool({
  name: 'write_file',
  description:
    'Write a text file inside the home directory, replacing it if it exists. The parent directory must exist unless create_dirs is true. ' +
    `Content up to ${formatBytes(WRITE_FILE_MAX_BYTES)}.`,
  input: z.strictObject({
    path: PathArg.describe('File path, absolute or relative to the home directory'),
    content: z.string().max(WRITE_FILE_MAX_BYTES).describe('The whole new content of the file'),
    create_dirs: z.boolean().default(false).describe('Create missing parent directories (default false)'),
  }),
  async run(args, ctx) {
    const bytes = Buffer.byteLength(args.content);
    if (bytes > WRITE_FILE_MAX_BYTES) throw new ToolFailure('FILE_TOO_LARGE', `The content is ${formatBytes(bytes)}; write_file writes up to ${formatBytes(WRITE_FILE_MAX_BYTES)}`);
    const { path, exists } = await resolveInRoot(ctx.root, args.path, ctx.cwd);
    let before: number | null = null;
    if (exists) {
      const info = await fsStep(stat(path), args.path);
      if (info.isDirectory()) throw new ToolFailure('IS_A_DIRECTORY', `${args.path} is a directory`);
      if (!info.isFile()) throw new ToolFailure('NOT_A_FILE', `${args.path} is not a regular file`);
      before = info.size;
    } else {
      const parent = dirname(path);
      const parentInfo = await stat(parent).catch(() => null);
      if (!parentInfo) {
        if (!args.create_dirs) throw new ToolFailure('NOT_FOUND', `The directory ${parent} does not exist; pass create_dirs: true to create it`);
        await fsStep(mkdir(parent, { recursive: true }), parent);
      } else if (!parentInfo.isDirectory()) {
        throw new ToolFailure('NOT_A_DIRECTORY', `${parent} is not a directory`);
      }
    }
    await fsStep(writeFile(path, args.content), args.path);
    const what = before === null ? `Created ${path}` : `Replaced ${path} (was ${formatBytes(before)})`;
    return { content: `${what}: wrote ${formatBytes(bytes)}`, is_error: false };
  },
});

/** `list_dir`: one directory's entries, directories first. */
export const listDirTool = defineTool({
  name: 'list_dir',
  description: `List a directory inside the home directory: each entry's kind (dir, file, link, other), name and file size. At most ${LIST_DIR_MAX_ENTRIES} entries.`,
  input: z.strictObject({
    path: PathArg.describe('Directory path, absolute or relative to the home directory'),
  }),
  async run(args, ctx) {
    const { path, info } = await existing(ctx, args.path);
    if (!info.isDirectory()) throw new ToolFailure('NOT_A_DIRECTORY', `${args.path} is not a directory; use read_file to read a file`);
    const entries = await fsStep(readdir(path, { withFileTypes: true }), args.path);
    entries.sort((a, b) => Number(b.isDirectory()) - Number(a.isDirectory()) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const shown = entries.slice(0, LIST_DIR_MAX_ENTRIES);
    const lines = await Promise.all(
      shown.map(async (e) => {
        const full = join(path, e.name);
        if (e.isDirectory()) return `dir   ${e.name}/`;
        if (e.isSymbolicLink()) return `link  ${e.name} -> ${await readlink(full).catch(() => '?')}`;
        if (e.isFile()) return `file  ${e.name}  ${formatBytes((await lstat(full).catch(() => ({ size: 0 }))).size)}`;
        return `other ${e.name}`;
      }),
    );
    const dirs = entries.filter((e) => e.isDirectory()).length;
    const header = `${path}: ${dirs} ${dirs === 1 ? 'directory' : 'directories'}, ${entries.length - dirs} other ${entries.length - dirs === 1 ? 'entry' : 'entries'}`;
    const cut = entries.length > shown.length ? [`[${entries.length - shown.length} more entries not shown]`] : [];
    return { content: [header, ...lines, ...cut].join('\n'), is_error: false };
  },
});
