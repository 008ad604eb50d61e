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
  'hostname', 'true', 'false', 'test', '[', 'cut', 'tr', 'diff', 'cmp', 'comm', 'tree', 'realpath', 'readlink', 'basename', 'dirname',
  'jq', 'nl', 'od', 'hexdump', 'xxd', 'strings', 'md5sum', 'sha1sum', 'sha256sum', 'sha512sum', 'b2sum', 'cksum', 'base64', 'column',
  'fold', 'fmt', 'paste', 'join', 'expand', 'unexpand', 'rev', 'seq', 'yes', 'free', 'vmstat', 'iostat', 'lscpu', 'lsblk', 'lsusb', 'lspci',
  'lsof', 'nproc', 'printenv', 'locale', 'tput', 'sleep', 'ldd', 'nm', 'objdump', 'readelf', 'size', 'getent', 'uptime', 'w', 'who',
  'last', 'look', 'zcat', 'zgrep', 'bzcat', 'xzcat', 'printf', 'dmesg', 'journalctl', 'ip', 'ss', 'netstat', 'ping', 'dig', 'host',
  'nslookup', 'man', 'info', 'whatis', 'apropos', 'sort', 'uniq', 'sed', 'awk', 'gawk', 'mawk', 'find', 'tar', 'curl',
]);
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
  if (rule?.kind === 'wrapper' && base !== 'exec') return base === 'xargs' || base === 'parallel' || command.runs || args.length === 0 || base === 'env' ? null : `${base} may run a program`;
  if (rule?.kind === 'trap' || rule?.kind === 'alias') return `${base} defines code to run later`;
  if (args.includes(null)) {
    if (!READERS.has(base) || base === 'find' || base === 'sed' || base === 'awk' || base === 'curl' || base === 'tar') return `an argument of ${base} is computed at run time`;
  }
  const rest = args as string[];
  if (INTERPRETERS.has(base)) return rest.length === 1 && VERSION_QUERY.has(rest[0]!) ? null : `${base} runs code`;
  const queries = QUERY_VERBS[base];
  if (queries) return whyNotQuery(base, rest, queries);
  if (!READERS.has(base)) return base.startsWith('mkfs') || base === 'rm' ? `${base} deletes or overwrites` : `${base} is not known to only read`;
  switch (base) {
    case 'sed': {
      if (rest.some((w) => /^-[a-zA-Z]*i/.test(w) || w.startsWith('--in-place'))) return 'sed -i edits files in place';
      const scripts = scriptsOf(rest, ['-e', '--expression'], ['-f', '--file']);
      return scripts.every((s) => s.split(/[;\n]/).every((part) => PURE_SED.test(part.trim()) || part.trim() === '')) ? null : 'the sed script may write files or run commands (w, e, r)';
    }
    case 'awk':
    case 'gawk':
    case 'mawk': {
      const program = rest.find((w) => !w.startsWith('-')) ?? '';
      return rest.some((w) => w === '-f' || w.startsWith('--file') || w === '-i' || w === '-E') || /system\s*\(|\||>|getline|@load/.test(program) ? `the ${base} program may run commands or write files` : null;
    }
    case 'find':
      return rest.some((w) => ['-delete', '-exec', '-execdir', '-ok', '-okdir', '-fprint', '-fprint0', '-fprintf', '-fls'].includes(w)) ? 'find may delete files, write files or run commands' : null;
    case 'tar':
      return rest.some((w) => /^-?[a-zA-Z]*[xcruA]/.test(w) && !w.startsWith('--')) || rest.some((w) => /^--(extract|get|create|append|update|delete)/.test(w))
        ? 'tar may write files'
        : null;
    case 'curl':
      return rest.some((w) => /^-[a-zA-Z]*[oOTKd]/.test(w) || /^--(output|remote-name|upload-file|data|form|config|request|cookie-jar)/.test(w) || w === '-F' || w === '-X')
        ? 'curl may write files or send data'
        : null;
    case 'sort':
      return rest.some((w) => /^-[a-zA-Z]*o/.test(w) || w.startsWith('--output')) ? 'sort -o writes a file' : null;
    case 'uniq':
      return rest.filter((w) => !w.startsWith('-')).length > 1 ? 'uniq with two files writes the second' : null;
    case 'printf':
      return rest[0] === '-v' ? 'printf -v sets a variable' : null;
    default:
      return null;
  }
}

/** Scripts given to sed with -e/-f, or its first operand. */
function scriptsOf(rest: readonly string[], textOptions: readonly string[], fileOptions: readonly string[]): string[] {
  const scripts: string[] = [];
  let sawOption = false;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (textOptions.includes(w)) {
      scripts.push(rest[++i] ?? '');
      sawOption = true;
    } else if (fileOptions.includes(w)) {
      scripts.push('w file-script'); // a script file is not read: counts as unknown
      sawOption = true;
    }
  }
  if (!sawOption) scripts.push(rest.find((w) => !w.startsWith('-')) ?? '');
  return scripts;
}

function whyNotQuery(program: string, rest: readonly string[], queries: ReadonlySet<string>): string | null {
  const verb = rest.find((w) => !w.startsWith('-') || queries.has(w));
  if (verb === undefined) return null;
  if (!queries.has(verb)) return `${program} ${verb} may change something`;
  const after = rest.slice(rest.indexOf(verb) + 1);
  if (program === 'git' && rest.some((w) => w === '-c' || w.startsWith('--exec-path') || w.startsWith('--config-env'))) return 'git -c may set a command to run';
  if (program === 'git' && verb === 'branch' && after.some((w) => /^-[dDmMcC]/.test(w) || w.startsWith('--delete') || w.startsWith('--move'))) return 'git branch -d/-m changes branches';
  if (program === 'git' && verb === 'tag' && after.some((w) => !w.startsWith('-') || /^-[ad]/.test(w))) return 'git tag with a name creates or deletes a tag';
  if (program === 'git' && verb === 'config' && !after.some((w) => ['--get', '--get-all', '--list', '-l', '--get-regexp', '--show-origin'].includes(w))) return 'git config without --get or --list may change settings';
  if (program === 'git' && verb === 'remote' && after.some((w) => !w.startsWith('-') && w !== 'show' && w !== 'get-url')) return 'git remote may change remotes';
  return null;
}
