// Types of corpus.mjs (plain JavaScript so the benchmark can import it without a TypeScript loader).
export type CorpusAction = 'allow' | 'ask' | 'deny';

export interface CorpusRule {
  tool: 'terminal' | 'read_file' | 'write_file' | 'list_dir' | 'search_files' | 'crush_run' | 'claude_run' | 'mcp';
  match?: string;
  action: CorpusAction;
}

/** One terminal command and what a careful user wants for it. */
export interface CorpusCase {
  group: string;
  command: string;
  /** No rules, mode ask. */
  default: CorpusAction;
  /** CUSTOM_RULES, mode ask. */
  custom: CorpusAction;
  why?: string;
}

export interface ModeCase {
  mode: 'read-only' | 'trusted' | 'accept-edits';
  rules: 'default' | 'custom';
  command: string;
  expected: CorpusAction;
}

export interface CorpusHome {
  /** The real path of the temporary root. */
  root: string;
  home: string;
  /** ~/projects/app: where commands run, and the project folder of accept-edits. */
  project: string;
  /** A folder outside home that ~/projects/escape points to. */
  outside: string;
  /** The environment commands are judged in. */
  env: Record<string, string>;
}

export const CUSTOM_RULES: CorpusRule[];
export const CORPUS: CorpusCase[];
export const MODE_CASES: ModeCase[];
export function makeCorpusHome(root: string): CorpusHome;
