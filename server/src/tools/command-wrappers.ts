/**
 * Data for the sudo guard: which programs raise privileges, and how each program that runs
 * another program (env, xargs, bash -c, find -exec, …) names the one it runs. The guard is
 * generic code reading this table; a new wrapper is a new row, not a new branch.
 */

/** Programs that raise privileges; running any of them is what the guard refuses. */
export const PRIVILEGED_COMMANDS: ReadonlySet<string> = new Set(['sudo', 'sudoedit', 'doas', 'pkexec', 'su', 'run0']);

/** A program that runs the program named by its remaining words, after its own options. */
export interface WrapperRule {
  kind: 'wrapper';
  /** Short options taking a value, attached (`-n5`) or as the next word (`-n 5`). */
  shortValue?: string;
  /** Short options whose value may only be attached (`xargs -i`, `-iR`): the next word is never theirs. */
  optionalShort?: string;
  /** Long options taking a value, as `--opt=v` or `--opt v`. */
  longValue?: readonly string[];
  /** Options whose value is a command line (`env -S`, `flock -c`); they may come after the operands. */
  commandShort?: string;
  commandLong?: readonly string[];
  /** Options after which nothing is run (`command -v` only looks the name up). */
  noRunShort?: string;
  /** Operands before the wrapped command (timeout's duration, taskset's mask, flock's lock file). */
  operands?: number;
  /** `NAME=value` words before the command set its environment (env). */
  assignments?: boolean;
  /** The operands are not a command (script's are its log file; it runs only `-c TEXT`). */
  operandsNotRun?: boolean;
  /** The command words are joined with spaces and run by a shell (watch, parallel, sg)… */
  joins?: boolean;
  /** …unless one of these options is given (`watch -x` execs the words directly). */
  execShort?: string;
  /** Words that end the command (parallel's `:::`). */
  terminators?: readonly string[];
  /** Input is appended to the command's words (xargs, parallel): a missing command comes from input. */
  appendsInput?: boolean;
  /** The command run when none is named (xargs runs echo). */
  defaultCommand?: string;
  /** Options naming the placeholder replaced by input: `-I R`, `-i[R]`, `--replace[=R]` (default `{}`). */
  placeholderShort?: string;
  placeholderOptionalShort?: string;
  placeholderLong?: string;
  /** A placeholder the wrapper always replaces (parallel's `{}`). */
  placeholder?: string;
}

/** A shell: `-c TEXT` runs TEXT; with neither -c nor a script operand it reads commands from stdin. */
export interface ShellRule {
  kind: 'shell';
  /** Options taking the next word as their value (`-o pipefail`, `+O extglob`). */
  shortValue: string;
  longValue: readonly string[];
  /** Long options whose value is the command text (fish's `--command=TEXT`). */
  commandLong: readonly string[];
}

/**
 * How a program runs code given as text or words: `eval` joins its words into shell code,
 * `trap` runs its first word as shell code, `alias` values become shell code, `find` runs what
 * follows each -exec/-execdir/-ok/-okdir up to `;` or `+`.
 */
export type CommandRule = WrapperRule | ShellRule | { kind: 'eval' } | { kind: 'trap' } | { kind: 'alias' } | { kind: 'find' };

const SHELL: ShellRule = { kind: 'shell', shortValue: 'oO', longValue: ['--rcfile', '--init-file'], commandLong: ['--command'] };

/** Every program the guard looks inside, by the basename it is run as. */
export const COMMAND_RULES: Readonly<Record<string, CommandRule>> = {
  sh: SHELL,
  bash: SHELL,
  rbash: SHELL,
  dash: SHELL,
  ash: SHELL,
  zsh: SHELL,
  ksh: SHELL,
  ksh93: SHELL,
  mksh: SHELL,
  lksh: SHELL,
  oksh: SHELL,
  pdksh: SHELL,
  yash: SHELL,
  posh: SHELL,
  // Not bash syntax, but simple commands read the same; what bash cannot parse is refused.
  fish: SHELL,
  csh: SHELL,
  tcsh: SHELL,

  eval: { kind: 'eval' },
  trap: { kind: 'trap' },
  alias: { kind: 'alias' },
  find: { kind: 'find' },

  env: { kind: 'wrapper', shortValue: 'uCP', longValue: ['--unset', '--chdir'], commandShort: 'S', commandLong: ['--split-string'], assignments: true },
  command: { kind: 'wrapper', noRunShort: 'vV' },
  builtin: { kind: 'wrapper' },
  exec: { kind: 'wrapper', shortValue: 'a' },
  nohup: { kind: 'wrapper' },
  time: { kind: 'wrapper', shortValue: 'fo', longValue: ['--format', '--output'] },
  nice: { kind: 'wrapper', shortValue: 'n', longValue: ['--adjustment'] },
  timeout: { kind: 'wrapper', shortValue: 'sk', longValue: ['--signal', '--kill-after'], operands: 1 },
  stdbuf: { kind: 'wrapper', shortValue: 'ioe', longValue: ['--input', '--output', '--error'] },
  setsid: { kind: 'wrapper' },
  ionice: { kind: 'wrapper', shortValue: 'cnpPu', longValue: ['--class', '--classdata', '--pid', '--pgid', '--uid'] },
  chrt: { kind: 'wrapper', shortValue: 'TPD', longValue: ['--sched-runtime', '--sched-period', '--sched-deadline'], operands: 1 },
  taskset: { kind: 'wrapper', operands: 1 },
  unbuffer: { kind: 'wrapper' },
  caffeinate: { kind: 'wrapper', shortValue: 'tw' },
  'dbus-run-session': { kind: 'wrapper', longValue: ['--config-file', '--dbus-daemon'] },
  'ssh-agent': { kind: 'wrapper', shortValue: 'aEPt' },
  busybox: { kind: 'wrapper' },
  strace: { kind: 'wrapper', shortValue: 'abeEIoOpPsSuXU' },
  ltrace: { kind: 'wrapper', shortValue: 'aADeFlnopsuwx' },
  flock: { kind: 'wrapper', shortValue: 'wE', longValue: ['--timeout', '--conflict-exit-code'], commandShort: 'c', commandLong: ['--command'], operands: 1 },
  script: {
    kind: 'wrapper',
    shortValue: 'ETIOBm',
    longValue: ['--echo', '--log-timing', '--log-in', '--log-out', '--log-io', '--logging-format', '--output-limit'],
    commandShort: 'c',
    commandLong: ['--command'],
    operandsNotRun: true,
  },
  sg: { kind: 'wrapper', commandShort: 'c', operands: 1, joins: true },
  watch: { kind: 'wrapper', shortValue: 'nq', longValue: ['--interval', '--equexit'], joins: true, execShort: 'x' },
  xargs: {
    kind: 'wrapper',
    shortValue: 'adELnPs',
    optionalShort: 'el',
    longValue: ['--arg-file', '--delimiter', '--max-args', '--max-procs', '--max-chars', '--process-slot-var'],
    appendsInput: true,
    defaultCommand: 'echo',
    placeholderShort: 'I',
    placeholderOptionalShort: 'i',
    placeholderLong: '--replace',
  },
  parallel: {
    kind: 'wrapper',
    shortValue: 'jSadEILnNPs',
    joins: true,
    terminators: [':::', '::::', ':::+', '::::+'],
    appendsInput: true,
    placeholder: '{}',
  },
};

/** Commands that set variables the guard cannot follow (`read X`, `printf -v X`): X is unknown. */
export const BINDING_COMMANDS: ReadonlySet<string> = new Set(['read', 'mapfile', 'readarray', 'printf', 'getopts', 'let', 'unset', 'export', 'declare', 'typeset', 'local', 'readonly']);

/** Commands after which any variable may hold anything (`eval "X=sudo"`, `source file`). */
export const OPAQUE_COMMANDS: ReadonlySet<string> = new Set(['eval', 'source', '.']);
