/**
 * The search itself: a bounded walk and a line matcher. Pure and synchronous, so it runs in a
 * worker thread (search-worker.ts) that the tool can terminate: a pathological regex then
 * stalls only the worker, never the server.
 */
import { closeSync, openSync, readdirSync, readSync, statSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Directories never entered: dependencies, history and build output drown what is sought. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git', 'dist']);

/** One search, as sent to the worker. */
export interface SearchRequest {
  /** A real directory or file inside the root. */
  start: string;
  pattern: string;
  /** Match the pattern as plain text, even when it is a valid regular expression. */
  literal: boolean;
  ignoreCase: boolean;
  glob: string | null;
  maxFiles: number;
  maxMatches: number;
  maxFileBytes: number;
  maxLineChars: number;
}

/** One matching line. */
export interface SearchMatch {
  /** Relative to the searched directory, with / separators. */
  file: string;
  line: number;
  text: string;
}

/** What a search found, and how far it got. */
export interface SearchOutcome {
  matches: SearchMatch[];
  filesScanned: number;
  /** Files passed over: too large, binary, unreadable. */
  filesSkipped: number;
  /** Why the walk ended early, if it did. */
  stopped: 'matches' | 'files' | null;
  /** Set when the pattern was not a valid regex and was searched as text. */
  patternNote: string | null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The matcher: the pattern as a regex when it is one (and not asked to be literal), else as text. */
export function compilePattern(pattern: string, literal: boolean, ignoreCase: boolean): { regex: RegExp; note: string | null } {
  const flags = ignoreCase ? 'i' : '';
  if (!literal) {
    try {
      return { regex: new RegExp(pattern, flags), note: null };
    } catch (err) {
      return { regex: new RegExp(escapeRegExp(pattern), flags), note: `not a valid regular expression (${(err as Error).message}), so searched as plain text` };
    }
  }
  return { regex: new RegExp(escapeRegExp(pattern), flags), note: null };
}

/**
 * A glob as a regex: `*` and `?` stay within a path segment, `**` crosses them, `{a,b}` and
 * `[…]` as in a shell. A glob without `/` matches the file name; one with `/`, the relative path.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inBraces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      inBraces++;
      re += '(?:';
    } else if (c === '}' && inBraces > 0) {
      inBraces--;
      re += ')';
    } else if (c === ',' && inBraces > 0) re += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`);
}

/** True when the first bytes hold a NUL: binary, as git decides. */
function looksBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

function readSmallFile(path: string, size: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buf, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Walks from `start` (depth first, names sorted) and collects matching lines, within the request's bounds. */
export function searchFiles(req: SearchRequest): SearchOutcome {
  const { regex, note } = compilePattern(req.pattern, req.literal, req.ignoreCase);
  const glob = req.glob ? globToRegExp(req.glob) : null;
  const globOnPath = req.glob?.includes('/') ?? false;
  const out: SearchOutcome = { matches: [], filesScanned: 0, filesSkipped: 0, stopped: null, patternNote: note };

  const scanFile = (path: string, rel: string): void => {
    let bytes: Buffer;
    try {
      const size = statSync(path).size;
      if (size > req.maxFileBytes) {
        out.filesSkipped++;
        return;
      }
      bytes = readSmallFile(path, size);
    } catch {
      out.filesSkipped++;
      return;
    }
    if (looksBinary(bytes)) {
      out.filesSkipped++;
      return;
    }
    out.filesScanned++;
    const lines = bytes.toString('utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!regex.test(line)) continue;
      const text = line.replace(/\r$/, '');
      out.matches.push({ file: rel, line: i + 1, text: text.length > req.maxLineChars ? `${text.slice(0, req.maxLineChars)}…` : text });
      if (out.matches.length >= req.maxMatches) {
        out.stopped = 'matches';
        return;
      }
    }
  };

  let startIsDir: boolean;
  try {
    startIsDir = statSync(req.start).isDirectory();
  } catch {
    return out;
  }
  if (!startIsDir) {
    scanFile(req.start, req.start.slice(req.start.lastIndexOf(sep) + 1));
    return out;
  }
  const stack: string[] = [req.start];
  while (stack.length > 0 && !out.stopped) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      // Symlinks are not followed: they could lead out of the root or round in circles.
      if (entry.isSymbolicLink()) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) subdirs.push(full);
        continue;
      }
      if (!entry.isFile()) continue;
      const rel = relative(req.start, full).split(sep).join('/');
      if (glob && !glob.test(globOnPath ? rel : entry.name)) continue;
      if (out.filesScanned + out.filesSkipped >= req.maxFiles) {
        out.stopped = 'files';
        break;
      }
      scanFile(full, rel);
      if (out.stopped) break;
    }
    // Reversed so the stack pops them in name order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
  return out;
}
