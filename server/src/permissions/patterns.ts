/**
 * How a rule's `match` is compared with a call: command patterns against the words of one
 * simple command, path globs (picomatch) against a real path, tool-name globs against an MCP
 * tool's full name.
 */
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import picomatch from 'picomatch';

/**
 * A word of a command the walk could not know (null): for an allow rule it equals no literal
 * pattern word; for a deny or ask rule it may be any word, an option included.
 */
export type CommandWords = readonly (string | null)[];

const globCache = new Map<string, (s: string) => boolean>();

function compiled(glob: string, options: picomatch.PicomatchOptions): (s: string) => boolean {
  const key = `${options.dot ? 'd' : ''}${options.nocase ? 'i' : ''}:${glob}`;
  let test = globCache.get(key);
  if (!test) {
    test = picomatch(glob, options);
    if (globCache.size > 2000) globCache.clear();
    globCache.set(key, test);
  }
  return test;
}

/** Splits a pattern into words; `*` alone is a wildcard word. */
function patternWords(pattern: string): string[] {
  return pattern.trim().split(/\s+/);
}

/**
 * One pattern word against one command word: `*` and `?` glob inside the word, nothing else is special.
 * strict (allow rules): a glob stays inside one path segment, as in the shell (`scripts/*.py` is
 * not `scripts/../../x.py` nor `scripts/sub/x.py`), and never stands for `.` or `..`. lenient
 * (deny and ask rules): `*` matches anything, `/` included (`curl *evil.com*` covers
 * `curl https://evil.com/x`).
 */
function wordMatches(pattern: string, word: string | null, strict = false): boolean {
  if (word === null) return strict ? pattern === '*' : true;
  if (!/[*?]/.test(pattern)) return pattern === word;
  if (strict && /(^|\/)\.\.?(\/|$)/.test(word) && !/(^|\/)\.\.?(\/|$)/.test(pattern)) return false;
  const any = strict ? '[^/]' : '.';
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, `${any}*`).replace(/\?/g, any)}$`, 's');
  return re.test(word);
}

/** An option word (`-f`, `--force`, `-rf`), not `-` or `--`. */
function isOptionWord(word: string | null | undefined): word is string {
  return typeof word === 'string' && word.startsWith('-') && word !== '-' && word !== '--';
}

/** Short options written together: `-rf` (up to 3 letters: `-delete` or `-name` are words, not clusters). */
const CLUSTER = /^-[A-Za-z]{1,3}$/;

/**
 * Where a pattern's option word sits among a command's words (lenient matching), or null: the
 * word itself, or — for short options like `-rf` — the short options that spell it in any
 * order or grouping (`-fr`, `-r -f`, `-Rfv` for `-f`). Only words before a `--` are options.
 */
function optionPositions(option: string, words: CommandWords): number[] | null {
  const end = words.indexOf('--');
  const before = end < 0 ? words : words.slice(0, end);
  const options = before.map((w, i) => [w, i] as const).filter(([w]) => isOptionWord(w));
  const exact = options.find(([w]) => w === option || (option.startsWith('--') && w!.startsWith(`${option}=`)));
  if (exact) return [exact[1]];
  // A word only known at run time may be the option (`git push "$FLAG"`): it is there, taking no word.
  const computed = before.includes(null) ? [] : null;
  if (!CLUSTER.test(option)) return computed;
  const letters = new Set(option.slice(1));
  const clusters = options.filter(([w]) => /^-[A-Za-z]+$/.test(w!) && [...w!.slice(1)].some((ch) => letters.has(ch)));
  const found = new Set(clusters.flatMap(([w]) => [...w!.slice(1)]));
  return [...letters].every((ch) => found.has(ch)) ? clusters.map(([, i]) => i) : computed;
}

/**
 * Whether a command pattern covers a simple command. `git status` covers exactly that; a
 * trailing ` *` covers any further words, none included (`git push *` covers `git push` and
 * `git push --force origin main`); `*` inside a word globs that word (`npm run test:*`).
 *
 * strict (allow rules): the words must line up one for one, and the program is named as the
 * pattern names it (`make *` does not cover `./make`).
 * lenient (deny and ask rules): an option cannot slip a command past a deny —
 * - options and their values may sit between the pattern's words: `git -C /repo push` is
 *   still `git push *`, `rm -rf /` is still `rm *`;
 * - the pattern's own options may sit anywhere, in any order or grouping, as getopt allows:
 *   `git push origin main --force` is `git push --force *`, `rm -fr x` and `rm -r -f x` are `rm -rf *`;
 * - the program may be named by a path: `/bin/kill -9 1` is `kill *`.
 *
 * `appendsInput`: words will be added at run time (xargs); only a trailing ` *` covers them.
 */
export function commandMatches(pattern: string, words: CommandWords, options: { lenient: boolean; appendsInput?: boolean }): boolean {
  const p = patternWords(pattern);
  const open = p.length > 1 && p[p.length - 1] === '*';
  const fixed = open ? p.slice(0, -1) : p;
  if (!open && options.appendsInput) return false;
  return options.lenient ? lenientMatch(fixed, words, open) : strictMatch(fixed, words, open);
}

function strictMatch(fixed: readonly string[], words: CommandWords, open: boolean): boolean {
  if (words.length < fixed.length || (!open && words.length !== fixed.length)) return false;
  return fixed.every((p, i) => wordMatches(p, words[i]!, true));
}

/** The program word is anchored (by name or basename); see commandMatches for the rest. */
function lenientMatch(fixed: readonly string[], allWords: CommandWords, open: boolean): boolean {
  const program = allWords[0];
  if (program === undefined) return false;
  if (!wordMatches(fixed[0]!, program) && !(program !== null && program.includes('/') && wordMatches(fixed[0]!, basename(program)))) return false;
  // The pattern's options are looked for anywhere, then taken out; its other words are matched in order.
  const taken = new Set<number>();
  for (const option of fixed.slice(1).filter(isOptionWord)) {
    const at = optionPositions(option, allWords.slice(1));
    if (!at) return false;
    for (const i of at) taken.add(i + 1);
  }
  const words = allWords.filter((_, i) => !taken.has(i));
  const rest = [fixed[0]!, ...fixed.slice(1).filter((w) => !isOptionWord(w))];
  const go = (pi: number, wi: number): boolean => {
    if (pi === rest.length) return open || wi === words.length;
    for (let k = wi; k < words.length; k++) {
      if (wordMatches(rest[pi]!, words[k]!) && go(pi + 1, k + 1)) return true;
      // Only options (and a value right after one) may be skipped.
      const w = words[k];
      const prev = k > wi ? words[k - 1] : null;
      const isValue = isOptionWord(prev) && !prev.includes('=');
      if (!isOptionWord(w) && !isValue) return false;
    }
    return false;
  };
  return go(1, 1);
}

/** `~` and `~/…` in a path glob mean the home directory. */
export function expandHome(glob: string, home = homedir()): string {
  if (glob === '~') return home;
  if (glob.startsWith('~/')) return join(home, glob.slice(2)) + (glob.endsWith('/') ? '/' : '');
  return glob;
}

/** Whether a path glob covers a real absolute path; `dir/**` covers `dir` itself too. */
export function pathMatches(glob: string, realPath: string, home = homedir()): boolean {
  const expanded = expandHome(glob, home);
  if (compiled(expanded, { dot: true })(realPath)) return true;
  return expanded.endsWith('/**') && realPath === expanded.slice(0, -3);
}

/** Whether a tool-name glob (`mcp__github__*`) covers a tool's full name. */
export function nameMatches(glob: string, name: string): boolean {
  return compiled(glob, { dot: true })(name);
}

/** Whether `path` is `dir` or inside it (both real and absolute). */
export function isInside(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}
