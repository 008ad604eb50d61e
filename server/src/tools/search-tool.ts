import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import {
  SEARCH_FILES_MAX_FILE_BYTES,
  SEARCH_FILES_MAX_FILES,
  SEARCH_FILES_MAX_MATCHES,
  SEARCH_FILES_TIMEOUT_MS,
  SEARCH_MATCH_LINE_MAX_CHARS,
  SEARCH_PATTERN_MAX_CHARS,
} from '../limits.js';
import type { ToolResult } from '../wire/tools.js';
import { ToolFailure } from './failure.js';
import { formatBytes } from './process.js';
import { resolveInRoot } from './root-path.js';
import { SKIPPED_DIRS, type SearchOutcome, type SearchRequest } from './search-core.js';
import { defineTool } from './tool.js';

/** The worker is the compiled file, like the terminal mirror's: worker threads cannot load TypeScript. */
function workerPath(rootDir: string): string {
  return join(rootDir, 'server', 'dist', 'tools', 'search-worker.js');
}

/** Runs one search in a worker, terminated after `timeoutMs` or on abort. */
export function runInWorker(rootDir: string, request: SearchRequest, timeoutMs: number, signal: AbortSignal): Promise<SearchOutcome | 'timeout' | 'aborted'> {
  const file = workerPath(rootDir);
  if (!existsSync(file)) throw new ToolFailure('IO_ERROR', `The search worker ${file} is missing; build the server (npm run build:server)`);
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise((resolve, reject) => {
    const worker = new Worker(file, { workerData: request });
    const end = (answer: SearchOutcome | 'timeout' | 'aborted' | Error): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (answer instanceof Error) reject(answer);
      else resolve(answer);
    };
    const onAbort = () => end('aborted');
    const timer = setTimeout(() => end('timeout'), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (outcome: SearchOutcome) => end(outcome));
    worker.once('error', (err) => end(err));
  });
}

function describe(outcome: SearchOutcome, shownPath: string, pattern: string): ToolResult {
  const lines = outcome.matches.map((m) => `${m.file}:${m.line}: ${m.text}`);
  const files = new Set(outcome.matches.map((m) => m.file)).size;
  const notes: string[] = [];
  if (outcome.patternNote) notes.push(`[the pattern is ${outcome.patternNote}]`);
  const scanned = `scanned ${outcome.filesScanned} files${outcome.filesSkipped ? `, skipped ${outcome.filesSkipped} (binary, unreadable or over ${formatBytes(SEARCH_FILES_MAX_FILE_BYTES)})` : ''}`;
  if (outcome.matches.length === 0) notes.push(`[no matches for ${JSON.stringify(pattern)} in ${shownPath}; ${scanned}]`);
  else notes.push(`[${outcome.matches.length} matching lines in ${files} files; ${scanned}]`);
  if (outcome.stopped === 'matches') notes.push(`[stopped at ${SEARCH_FILES_MAX_MATCHES} matches; narrow the path, glob or pattern]`);
  if (outcome.stopped === 'files') notes.push(`[stopped after ${SEARCH_FILES_MAX_FILES} files; narrow the path or glob]`);
  return { content: [...lines, ...notes].join('\n'), is_error: false };
}

/** `search_files`: lines matching a pattern under a directory, bounded. */
export const searchFilesTool = defineTool({
  name: 'search_files',
  description:
    'Search text files under a directory (or one file) inside the home directory for lines matching a pattern. ' +
    'The pattern is a JavaScript regular expression, or plain text when literal is true (an invalid regex is searched as text). ' +
    `Skips ${[...SKIPPED_DIRS].join(', ')}, symlinks, binary files and files over ${formatBytes(SEARCH_FILES_MAX_FILE_BYTES)}; ` +
    `returns at most ${SEARCH_FILES_MAX_MATCHES} lines as path:line: text.`,
  input: z.strictObject({
    path: z.string().min(1).max(4096).describe('Directory or file to search, absolute or relative to the home directory'),
    pattern: z.string().min(1).max(SEARCH_PATTERN_MAX_CHARS).describe('Regular expression (or plain text with literal: true)'),
    glob: z.string().min(1).max(200).optional().describe('Only files whose name matches, e.g. "*.ts" or "src/**/*.{js,ts}" (a glob with / matches the relative path)'),
    literal: z.boolean().default(false).describe('Search the pattern as plain text (default false)'),
    ignore_case: z.boolean().default(false).describe('Match regardless of case (default false)'),
  }),
  async run(args, ctx) {
    const { path, exists } = await resolveInRoot(ctx.root, args.path, ctx.cwd);
    if (!exists) throw new ToolFailure('NOT_FOUND', `No such file or directory: ${args.path}`);
    const request: SearchRequest = {
      start: path,
      pattern: args.pattern,
      literal: args.literal,
      ignoreCase: args.ignore_case,
      glob: args.glob ?? null,
      maxFiles: SEARCH_FILES_MAX_FILES,
      maxMatches: SEARCH_FILES_MAX_MATCHES,
      maxFileBytes: SEARCH_FILES_MAX_FILE_BYTES,
      maxLineChars: SEARCH_MATCH_LINE_MAX_CHARS,
    };
    const outcome = await runInWorker(ctx.rootDir, request, SEARCH_FILES_TIMEOUT_MS, ctx.signal);
    if (outcome === 'timeout') {
      return { content: `The search timed out after ${SEARCH_FILES_TIMEOUT_MS / 1000} s; narrow the path or glob, or simplify the pattern`, is_error: true, code: 'TIMED_OUT' };
    }
    if (outcome === 'aborted') return { content: 'The search was aborted by the caller', is_error: true, code: 'ABORTED' };
    return describe(outcome, args.path, args.pattern);
  },
});
