import { basename } from 'node:path';
import { nodeType, parseBash, shellOperators, staticWord, walk, type ShCallExpr, type ShNode, type ShStmt } from '../tools/shell-syntax.js';
import type { StepInput } from '../wire/workflow.js';

/**
 * Whether a step writes, deletes, installs or runs an agent: such steps are gated
 * (`requires_approval`) unless the plan says otherwise and the user accepts. A judgement for
 * defaults, not a security boundary (the sudo guard is one): unknown shapes count as risky.
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

const READ_ONLY_TOOLS = new Set(['read_file', 'list_dir', 'search_files']);

/** Programs that change files, processes or the system whatever their arguments. */
const WRITERS = new Set([
  'rm', 'rmdir', 'unlink', 'mv', 'cp', 'dd', 'shred', 'truncate', 'tee', 'touch', 'mkdir', 'ln', 'chmod', 'chown', 'chgrp',
  'install', 'rsync', 'scp', 'patch', 'kill', 'pkill', 'killall', 'reboot', 'shutdown', 'poweroff', 'crontab', 'mount', 'umount',
  'useradd', 'userdel', 'passwd', 'wget', 'eval', 'xargs', 'source', '.', 'exec', 'make', 'ninja', 'cmake',
]);
/** Package managers and tools whose query verbs are harmless and every other verb may change something. */
const QUERY_VERBS: Record<string, ReadonlySet<string>> = {
  npm: new Set(['ls', 'list', 'view', 'info', 'show', 'outdated', 'search', 'help', 'config', 'audit', 'test', 'run', 'exec', 'version', '--version', '-v', 'root', 'prefix', 'whoami', 'doctor']),
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
  kubectl: new Set(['get', 'describe', 'logs', 'top', 'version', 'explain', 'api-resources', 'config']),
};
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh']);
/** Redirect targets that write nowhere that matters. */
const HARMLESS_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '-']);

/** True when the command line may change something; an unparsable line is risky. */
export function isRiskyCommand(command: string, depth = 0): boolean {
  const file = parseBash(command);
  if ('error' in file || depth > 3) return true;
  const stdin = shellOperators().stdin;
  let risky = false;
  walk(file, (node: ShNode) => {
    if (risky) return false;
    const type = nodeType(node);
    if (type === 'Stmt') {
      for (const redirect of (node as ShStmt).Redirs) {
        if (stdin.has(redirect.Op) || redirect.Hdoc) continue;
        const target = redirect.Word ? staticWord(redirect.Word) : null;
        if (target === null || !(HARMLESS_TARGETS.has(target) || /^\d+$/.test(target))) risky = true;
      }
    }
    if (type === 'CallExpr') risky ||= isRiskyCall(node as ShCallExpr, depth);
    return !risky;
  });
  return risky;
}

function isRiskyCall(call: ShCallExpr, depth: number): boolean {
  const words = call.Args.map(staticWord);
  const name = words[0];
  if (name === undefined) return false; // a bare assignment
  if (name === null) return true; // a command chosen at run time
  const program = basename(name);
  const rest = words.slice(1);
  if (WRITERS.has(program) || program.startsWith('mkfs')) return true;
  if ((program === 'sed' || program === 'perl') && rest.some((w) => w === null || /^-[a-zA-Z]*i/.test(w) || w === '--in-place')) return true;
  if (program === 'curl' && rest.some((w) => w === null || /^-[a-zA-Z]*[oO]/.test(w) || w === '--output' || w === '--remote-name')) return true;
  if (program === 'find' && rest.some((w) => w === null || w === '-delete' || w === '-exec' || w === '-execdir' || w === '-ok')) return true;
  if ((program === 'tar' && rest.some((w) => w === null || /^-?[a-zA-Z]*x/.test(w))) || program === 'unzip') return true;
  if (SHELLS.has(program)) {
    const script = rest[rest.indexOf('-c') + 1];
    if (!rest.includes('-c')) return rest.length > 0; // running a script file
    return script === undefined || script === null || isRiskyCommand(script, depth + 1);
  }
  if (program === 'env' || program === 'nice' || program === 'nohup' || program === 'time' || program === 'timeout' || program === 'command') {
    const inner = call.Args.slice(1).findIndex((_, i) => {
      const w = rest[i];
      return w === null || (w !== undefined && !w.startsWith('-') && !w.includes('=') && !/^\d+[smhd]?$/.test(w));
    });
    return inner >= 0 && isRiskyCall({ ...call, Args: call.Args.slice(inner + 1) }, depth);
  }
  const queries = QUERY_VERBS[program];
  if (queries) {
    const verb = rest.find((w) => w === null || !w.startsWith('-') || queries.has(w));
    if (program === 'git' && verb === 'branch') return rest.some((w) => w === null || /^-[dDmM]/.test(w));
    if (program === 'git' && verb === 'tag') return rest.length > 1;
    return verb === undefined ? false : verb === null || !queries.has(verb);
  }
  return false;
}
