import { walkCommands, type WalkedCommand } from '../tools/command-walk.js';
import { COMMAND_RULES, OPAQUE_COMMANDS } from '../tools/command-wrappers.js';
import type { StepInput } from '../wire/workflow.js';

/**
 * Which actions only read: the judgement behind the workflows' default gates and the
 * permission engine's default allow. A list of what is known to be harmless, not of what is
 * known to be harmful: a program not listed here may change something.
 */

/**
 * Whether a step writes, deletes, installs or runs an agent: such steps are gated
 * (`requires_approval`) unless the plan says otherwise and the user accepts. A judgement for
 * defaults, not a security boundary (the permission engine and the kernel guard are).
 */
export function isRiskyStep(step: Pick<StepInput, 'kind' | 'command' | 'tool' | 'args'>): boolean {
  switch (step.kind) {
    case 'agent':
      return true;
    case 'prompt':
      return false;
    case 'tool':
      if (step.tool === 'terminal') return typeof step.args?.command !== 'string' || isRiskyCommand(step.args.command);
      return !READ_ONLY_TOOLS.has(step.tool ?? '');
    case 'shell':
      return isRiskyCommand(step.command ?? '');
  }
}

/** Built-in tools that only read. */
export const READ_ONLY_TOOLS: ReadonlySet<string> = new Set(['read_file', 'list_dir', 'search_files']);

/** Programs that only read or print, whatever their arguments (the ones that can write are judged below). */
const READERS = new Set([
  'ls', 'll', 'dir', 'cat', 'tac', 'head', 'tail', 'less', 'more', 'wc', 'grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'pwd', 'echo',
  'which', 'whereis', 'type', 'file', 'stat', 'du', 'df', 'ps', 'pgrep', 'uname', 'id', 'whoami', 'groups', 'date', 'cal', 'uptime',
  'hostname', 'true', 'false', ':', 'exit', 'test', '[', 'cut', 'tr', 'diff', 'cmp', 'comm', 'tree', 'realpath', 'readlink', 'basename', 'dirname',
  'jq', 'nl', 'od', 'hexdump', 'xxd', 'strings', 'md5sum', 'sha1sum', 'sha256sum', 'sha512sum', 'b2sum', 'cksum', 'base64', 'column',
  'fold', 'fmt', 'paste', 'join', 'expand', 'unexpand', 'rev', 'seq', 'yes', 'free', 'vmstat', 'iostat', 'lscpu', 'lsblk', 'lsusb', 'lspci',
  'lsof', 'nproc', 'printenv', 'locale', 'tput', 'sleep', 'ldd', 'nm', 'objdump', 'readelf', 'size', 'getent', 'w', 'who',
  'last', 'look', 'zcat', 'zgrep', 'bzcat', 'xzcat', 'printf', 'dmesg', 'journalctl', 'ip', 'ss', 'netstat', 'ping', 'dig', 'host',
  'nslookup', 'man', 'info', 'whatis', 'apropos', 'sort', 'uniq', 'sed', 'awk', 'gawk', 'mawk', 'find', 'tar', 'curl',
]);
/**
 * Shell builtins that change nothing but the shell's own state (its directory, options, a
 * variable read from input, how it leaves a loop): harmless whatever their arguments.
 */
const SHELL_STATE = new Set(['cd', 'pushd', 'popd', 'dirs', ':', 'set', 'shopt', 'read', 'exit', 'return', 'break', 'continue', 'shift', 'wait']);
/** Readers judged by their arguments below (an option can make them write or run something). */
const JUDGED_BY_ARGS = new Set(['sed', 'awk', 'gawk', 'mawk', 'find', 'tar', 'curl', 'rg', 'xxd', 'tree', 'man', 'date', 'hostname', 'ip', 'dmesg', 'journalctl', 'sort', 'uniq']);
/** Runs code it is given (`-c`, `-e`, a script): read-only only for a version or help query. */
const INTERPRETERS = new Set(['python', 'python2', 'python3', 'node', 'nodejs', 'deno', 'perl', 'ruby', 'php', 'lua', 'luajit', 'tclsh', 'Rscript', 'osascript', 'pwsh', 'powershell']);
/** Package managers and tools whose query verbs are harmless and every other verb may change something. */
const QUERY_VERBS: Record<string, ReadonlySet<string>> = {
  npm: new Set(['ls', 'list', 'view', 'info', 'show', 'outdated', 'search', 'help', 'audit', 'test', 'run', 'version', '--version', '-v', 'root', 'prefix', 'whoami', 'doctor']),
  pnpm: new Set(['ls', 'list', 'why', 'outdated', 'help', 'test', 'run', '--version', '-v']),
  yarn: new Set(['list', 'info', 'why', 'outdated', 'help', 'test', 'run', '--version', '-v']),
  bun: new Set(['pm', 'test', 'run', '--version', '-v']),
  pip: new Set(['list', 'show', 'freeze', 'check', 'search', 'help', '--version', '-V']),
  pip3: new Set(['list', 'show', 'freeze', 'check', 'search', 'help', '--version', '-V']),
  cargo: new Set(['build', 'check', 'test', 'run', 'tree', 'metadata', 'search', 'doc', 'bench', 'clippy', 'fmt', '--version', '-V']),
  go: new Set(['build', 'test', 'vet', 'list', 'version', 'env', 'doc', 'run', 'fmt']),
  git: new Set(['status', 'log', 'diff', 'show', 'branch', 'remote', 'fetch', 'blame', 'grep', 'ls-files', 'rev-parse', 'describe', 'shortlog', 'config', 'tag', '--version', 'version', 'help']),
  docker: new Set(['ps', 'images', 'inspect', 'logs', 'version', 'info', 'stats', 'top', 'history', '--version']),
  apt: new Set(['list', 'search', 'show', 'policy', 'depends', 'rdepends']),
  'apt-get': new Set([]),
  'apt-cache': new Set(['search', 'show', 'policy', 'depends', 'rdepends', 'madison']),
  dnf: new Set(['list', 'search', 'info', 'repolist']),
  yum: new Set(['list', 'search', 'info', 'repolist']),
  pacman: new Set(['-Q', '-Qi', '-Ql', '-Ss', '-Si']),
  brew: new Set(['list', 'info', 'search', 'outdated', 'doctor', 'config', '--version']),
  systemctl: new Set(['status', 'list-units', 'list-unit-files', 'is-active', 'is-enabled', 'show', 'cat']),
  snap: new Set(['list', 'info', 'find']),
  flatpak: new Set(['list', 'info', 'search']),
  dpkg: new Set(['-l', '-L', '-s', '-S', '--list', '--listfiles', '--status', '--search']),
  rpm: new Set(['-q', '-qa', '-qi', '-ql']),
  kubectl: new Set(['get', 'describe', 'logs', 'top', 'version', 'explain', 'api-resources']),
};
/**
 * Query verbs that build or run the project's own code — its tests, package.json scripts,
 * build scripts (build.rs), the program itself. Workflows count them as safe steps; the
 * permission engine does not allow them by default: they run whatever the project's files say,
 * files the model may have just written (accept-edits), and they write build output.
 */
const PROJECT_CODE_VERBS: Record<string, ReadonlySet<string>> = {
  npm: new Set(['test', 'run', 'run-script']),
  pnpm: new Set(['test', 'run']),
  yarn: new Set(['test', 'run']),
  bun: new Set(['test', 'run']),
  cargo: new Set(['build', 'check', 'test', 'run', 'bench', 'doc', 'clippy']),
  go: new Set(['build', 'test', 'run']),
};
/** Redirect targets that write nowhere that matters. */
const HARMLESS_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);
/** A sed script that only substitutes, prints or deletes lines of its output (no `w`, `e`, `r`). */
const PURE_SED = /^(?:(?:\d+|\$|\/[^/]*\/)(?:,(?:\d+|\$|\/[^/]*\/))?)?(?:[pdq=]|s(.)(?:(?!\1).|\\.)*\1(?:(?!\1).|\\.)*\1[gpiI0-9]*)$/;
const VERSION_QUERY = new Set(['--version', '-v', '-V', 'version', '--help', '-h']);

/** True when the command line may change something; an unparsable or unresolvable line is risky. */
export function isRiskyCommand(command: string): boolean {
  try {
    const { commands, unresolved } = walkCommands(command, { env: process.env, collect: true });
    return unresolved.length > 0 || commands.some((c) => whyNotReadOnly(c) !== null || c.writes.some((w) => !isHarmlessTarget(w)));
  } catch {
    return true;
  }
}

/** Options by which an interpreter takes its program as text (`python -c`, `perl -e`, `node -e`, `php -r`). */
const INLINE_CODE = /^-(?:[a-zA-Z]*[ceErp]|-eval|-print|-command|-exec)(?:=|$)/;

/** `python3 -c '…'`, `perl -e '…'`: code handed over as text, which no pattern can judge. */
export function runsInlineCode(command: WalkedCommand): boolean {
  return INTERPRETERS.has(command.base) && command.args.some((a) => a === null || INLINE_CODE.test(a));
}

/** A redirection that writes nowhere that matters (`2>/dev/null`). */
export function isHarmlessTarget(target: string | null): boolean {
  return target !== null && HARMLESS_TARGETS.has(target);
}

/**
 * Why one simple command (redirections aside) may change something, or null when it only
 * reads. Wrappers and shells that ran text the walk followed are judged by what they run.
 */
export function whyNotReadOnly(command: WalkedCommand): string | null {
  const { base, args } = command;
  if (command.computedName) return `the program's name comes from a variable (${command.name})`;
  if (OPAQUE_COMMANDS.has(base)) return `${base} runs text built at run time`;
  const rule = COMMAND_RULES[base];
  if (rule?.kind === 'shell') return command.runs ? null : `${base} runs a script Atelier cannot see`;
  if (rule?.kind === 'wrapper') {
    // What a wrapper runs is judged on its own once the walk followed it.
    if (command.runs) return null;
    // exec without a command redirects the rest of the shell (`exec 3<>/dev/tcp/host/80`).
    if (base === 'exec') return args.length === 0 ? 'exec without a command changes where the shell reads and writes' : 'exec may run a program';
    if (base === 'command' && typeof args[0] === 'string' && /^-p?[vV]/.test(args[0])) return null; // `command -v git` only looks the name up
    return base === 'xargs' || base === 'parallel' || args.length === 0 || base === 'env' ? null : `${base} may run a program`;
  }
  if (rule?.kind === 'trap' || rule?.kind === 'alias') return `${base} defines code to run later`;
  if (SHELL_STATE.has(base)) return null;
  // A computed word may be any option: only programs whose arguments do not matter may have one.
  if (args.includes(null) && (!READERS.has(base) || JUDGED_BY_ARGS.has(base))) return `an argument of ${base} is computed at run time`;
  const rest = args as string[];
  if (INTERPRETERS.has(base)) return rest.length === 1 && VERSION_QUERY.has(rest[0]!) ? null : `${base} runs code`;
  const queries = QUERY_VERBS[base];
  if (queries) return whyNotQuery(base, rest, queries);
  if (!READERS.has(base)) return base.startsWith('mkfs') || base === 'rm' ? `${base} deletes or overwrites` : `${base} is not known to only read`;
  switch (base) {
    case 'sed': {
      if (rest.some((w) => /^-[a-zA-Z]*i/.test(w) || w.startsWith('--in-place'))) return 'sed -i edits files in place';
      const scripts = sedScripts(rest);
      return scripts !== null && scripts.every((s) => s.split(/[;\n]/).every((part) => PURE_SED.test(part.trim()) || part.trim() === '')) ? null : 'the sed script may write files or run commands (w, e, r)';
    }
    case 'awk':
    case 'gawk':
    case 'mawk':
      return awkWhy(base, rest);
    case 'find':
      if (rest.some((w) => ['-delete', '-ok', '-okdir', '-fprint', '-fprint0', '-fprintf', '-fls'].includes(w))) return 'find may delete files, write files or run commands';
      // What -exec runs is judged on its own once the walk followed it.
      return rest.some((w) => w === '-exec' || w === '-execdir') && !command.runs ? 'find -exec runs a command Atelier cannot see' : null;
    case 'tar': {
      // Short options, dashed or bundled in the first word (`tar tzf a.tgz`); an archive's name is no option.
      const bundle = rest[0] !== undefined && /^[a-zA-Z]+$/.test(rest[0]) ? rest[0] : '';
      const shorts = bundle + rest.filter((w) => /^-[a-zA-Z]/.test(w)).map((w) => w.slice(1)).join('');
      if (/[xcruA]/.test(shorts) || rest.some((w) => /^--(extract|get|create|append|update|delete|catenate|concatenate)/.test(w))) return 'tar may write files';
      return /[IFg]/.test(shorts) || rest.some((w) => /^--(use-compress-program|checkpoint-action|to-command|rsh-command|info-script|new-volume-script|listed-incremental|index-file|volno-file)/.test(w))
        ? 'tar may run a program or write a file an option names'
        : null;
    }
    case 'curl':
      return rest.some(
        (w) =>
          /^-[a-zA-Z]*[oOTKdcDFX]/.test(w) ||
          /^--(output|remote-name|upload-file|data|form|config|request|cookie-jar|dump-header|trace|libcurl|stderr|etag-save|hsts|alt-svc|json)/.test(w),
      )
        ? 'curl may write files or send data'
        : null;
    case 'rg':
      return rest.some((w) => /^--pre(=|$)/.test(w)) ? 'rg --pre runs a program on every file' : null;
    case 'xxd':
      return xxdOperands(rest) > 1 ? 'xxd writes its second operand' : null;
    case 'tree':
      return rest.some((w) => /^-[a-zA-Z]*o/.test(w)) ? 'tree -o writes a file' : null;
    case 'man':
      return rest.some((w) => /^-[a-zA-Z]*[PHX]/.test(w) || /^--(pager|html|browser|gxditview)/.test(w)) ? 'man may run the program an option names' : null;
    case 'date':
      return rest.some((w) => /^-[uR]*s/.test(w) || w.startsWith('--set')) ? 'date -s sets the clock' : null;
    case 'hostname':
      return rest.some((w) => !w.startsWith('-') || /^-[a-zA-Z]*[Fb]/.test(w) || /^--(file|boot)/.test(w)) ? 'hostname with a name sets it' : null;
    case 'ip':
      return rest.some((w) => IP_CHANGES.has(w) || /^-(b|batch|force)$/.test(w)) ? 'ip may change the network setup or run a command' : null;
    case 'dmesg':
      return rest.some((w) => /^-[a-zA-Z]*[CcnDE]/.test(w) || /^--(clear|read-clear|console-)/.test(w)) ? 'dmesg may clear the kernel log or change the console level' : null;
    case 'journalctl':
      return rest.some((w) => /^--(vacuum-|rotate|flush|sync|relinquish-var|smart-relinquish-var|setup-keys|update-catalog)/.test(w)) ? 'journalctl may delete or move logs' : null;
    case 'sort':
      if (rest.some((w) => w.startsWith('--compress-program'))) return 'sort --compress-program runs a program';
      return rest.some((w) => /^-[a-zA-Z]*o/.test(w) || w.startsWith('--output')) ? 'sort -o writes a file' : null;
    case 'uniq':
      return rest.filter((w) => !w.startsWith('-')).length > 1 ? 'uniq with two files writes the second' : null;
    case 'printf':
      return rest[0] === '-v' ? 'printf -v sets a variable' : null;
    default:
      return null;
  }
}

/** `ip` verbs that change the network setup or run a command (`ip netns exec`). */
const IP_CHANGES = new Set(['add', 'del', 'delete', 'set', 'change', 'replace', 'flush', 'exec', 'append', 'prepend', 'save', 'restore', 'attach', 'detach', 'load', 'unload', 'up', 'down', 'update', 'reset']);

/**
 * The scripts sed runs: the values of -e/--expression (attached, clustered or not), else its
 * first operand; null when one comes from a file (-f, --file), which is not read.
 */
function sedScripts(rest: readonly string[]): string[] | null {
  const scripts: string[] = [];
  const operands: string[] = [];
  let given = false;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (w === '--') {
      operands.push(...rest.slice(i + 1));
      break;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      const value = eq < 0 ? undefined : w.slice(eq + 1);
      if (name === 'expression') {
        scripts.push(value ?? rest[++i] ?? '');
        given = true;
      } else if (name === 'file') return null;
      else if (name === 'line-length' && value === undefined) i++;
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      for (let j = 1; j < w.length; j++) {
        const ch = w[j]!;
        if (ch === 'e') {
          scripts.push(w.slice(j + 1) || (rest[++i] ?? ''));
          given = true;
          break;
        }
        if (ch === 'f') return null;
        if (ch === 'l') {
          if (j === w.length - 1) i++;
          break;
        }
      }
      continue;
    }
    operands.push(w);
  }
  return given ? scripts : [operands[0] ?? ''];
}

/** awk code that runs commands, writes files or loads code. */
const AWK_CODE = /system\s*\(|\||>|getline|@load|@include/;

/** Why an awk program may do more than print: its code (the first operand, or -e/--source texts) and its options. */
function awkWhy(base: string, rest: readonly string[]): string | null {
  const risky = `the ${base} program may run commands or write files`;
  const programs: string[] = [];
  let given = false;
  let i = 0;
  for (; i < rest.length; i++) {
    const w = rest[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-') || w === '-') break;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      const value = eq < 0 ? undefined : w.slice(eq + 1);
      // Code from files or extensions, and options that write files (variable dumps, profiles).
      if (['file', 'include', 'load', 'exec', 'dump-variables', 'profile', 'pretty-print', 'debug'].includes(name)) return risky;
      if (name === 'source') {
        programs.push(value ?? rest[++i] ?? '');
        given = true;
      } else if ((name === 'field-separator' || name === 'assign') && value === undefined) i++;
      continue;
    }
    const ch = w[1]!;
    if ('fiElEdDop'.includes(ch)) return risky;
    if (ch === 'e') {
      programs.push(w.length > 2 ? w.slice(2) : (rest[++i] ?? ''));
      given = true;
    } else if ((ch === 'F' || ch === 'v') && w.length === 2) i++;
  }
  if (!given) programs.push(rest[i] ?? '');
  return programs.some((p) => AWK_CODE.test(p)) ? risky : null;
}

/** How many file operands xxd is given (the second one is written). */
function xxdOperands(rest: readonly string[]): number {
  const VALUE = new Set(['-c', '-cols', '-g', '-groupsize', '-l', '-len', '-o', '-offset', '-s', '-seek', '-n', '-name']);
  let operands = 0;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (VALUE.has(w)) i++;
    else if (!w.startsWith('-') || w === '-') operands++;
  }
  return operands;
}

/**
 * Why the permission engine does not allow a command by default even though workflows count
 * it as a query: it builds or runs the project's own code (`npm test`, `cargo build`, `go run`).
 */
export function runsProjectCode(command: WalkedCommand): string | null {
  const verbs = PROJECT_CODE_VERBS[command.base];
  if (!verbs || command.args.includes(null)) return null;
  const verb = (command.args as string[]).find((w) => !w.startsWith('-'));
  return verb !== undefined && verbs.has(verb) ? `${command.base} ${verb} runs the project's own code` : null;
}

function whyNotQuery(program: string, rest: readonly string[], queries: ReadonlySet<string>): string | null {
  const verb = rest.find((w) => !w.startsWith('-') || queries.has(w));
  if (verb === undefined) return null;
  if (!queries.has(verb)) return `${program} ${verb} may change something`;
  const after = rest.slice(rest.indexOf(verb) + 1);
  if (program === 'git' && rest.some((w) => w === '-c' || w.startsWith('--exec-path') || w.startsWith('--config-env'))) return 'git -c may set a command to run';
  if (program === 'git' && verb === 'branch' && after.some((w) => /^-[dDmMcC]/.test(w) || w.startsWith('--delete') || w.startsWith('--move'))) return 'git branch -d/-m changes branches';
  if (program === 'git' && verb === 'tag' && after.some((w) => !w.startsWith('-') || /^-[ad]/.test(w))) return 'git tag with a name creates or deletes a tag';
  if (program === 'git' && rest.some((w) => /^--(output|upload-pack|open-files-in-pager)(=|$)/.test(w) || (verb === 'grep' && /^-[a-zA-Z]*O/.test(w)))) {
    return `git ${verb} with this option writes a file or runs a command`;
  }
  if (program === 'git' && verb === 'branch' && !after.some((w) => w === '--list' || w === '-l') && gitBranchWrites(after)) return 'git branch with a name or an upstream option changes branches';
  if (program === 'npm' && verb === 'audit' && after.includes('fix')) return 'npm audit fix changes the dependencies';
  if (program === 'npm' && verb === 'version' && after.some((w) => !w.startsWith('-'))) return 'npm version bumps the version, commits and tags';
  if (program === 'go' && verb === 'env' && after.some((w) => /^-[wu]$/.test(w))) return 'go env -w/-u changes the go environment file';
  if ((program === 'go' || program === 'cargo') && verb === 'fmt' && !after.includes('--check')) return `${program} fmt rewrites source files`;
  if (program === 'git' && verb === 'config' && !after.some((w) => ['--get', '--get-all', '--list', '-l', '--get-regexp', '--show-origin'].includes(w))) return 'git config without --get or --list may change settings';
  if (program === 'git' && verb === 'remote') {
    const sub = after.find((w) => !w.startsWith('-'));
    if (sub !== undefined && sub !== 'show' && sub !== 'get-url') return 'git remote may change remotes';
  }
  return null;
}

/** Whether `git branch …` (the words after the verb) creates, moves or re-tracks a branch rather than listing. */
function gitBranchWrites(after: readonly string[]): boolean {
  const VALUE = new Set(['--contains', '--no-contains', '--merged', '--no-merged', '--points-at', '--sort', '--format']);
  for (let i = 0; i < after.length; i++) {
    const w = after[i]!;
    if (/^-[a-zA-Z]*[uft]/.test(w) || /^--(set-upstream-to|unset-upstream|edit-description|force|track|no-track|create-reflog|copy)/.test(w)) return true;
    if (VALUE.has(w)) i++;
    else if (!w.startsWith('-')) return true;
  }
  return false;
}
