/**
 * The sudo guard: would this shell command run sudo, sudoedit, doas, pkexec, su or run0?
 *
 * It walks every simple command the text would run (command-walk.ts: pipelines, subshells,
 * substitutions, heredocs, `"su"do`, `env -i X=1 sudo`, `xargs sudo`, `bash -c '…'`, `eval`,
 * `find -exec`, …) and refuses a privileged program wherever it is found.
 *
 * It fails closed: text it cannot parse, a command name computed at run time (`$(which sudo)`,
 * `${X:-sudo}`, `{sudo,x}`), shell text it cannot see (commands piped into `bash`), or nesting
 * past SUDO_GUARD_MAX_DEPTH is refused with the reason. What it does not see: the contents of
 * scripts and programs the command starts (`./deploy.sh`, `python -c`, `make`) — the kernel
 * guard (no_new_privs) covers those.
 */
import { SUDO_GUARD_MAX_DEPTH } from '../limits.js';
import { PRIVILEGED_COMMANDS } from './command-wrappers.js';
import { UnresolvedError, walkCommands, type Unresolved, type WalkedCommand } from './command-walk.js';

/** The guard's answer; `reason` says what was found and where, in words a model can act on. */
export type SudoVerdict = { blocked: false } | { blocked: true; reason: string };

/** What the command will run with. */
export interface SudoGuardOptions {
  /** The environment the command runs in: `$EDITOR file` runs whatever EDITOR holds. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

const PRIVILEGED_LIST = [...PRIVILEGED_COMMANDS].join(', ');

/** Thrown by the visit on a privileged program: it ends the walk at once. */
class Privileged extends Error {}

function privilegedReason(command: WalkedCommand): string {
  const where = command.via.length ? ` (inside ${command.via.join(' → ')})` : '';
  return (
    `Blocked: this command would run ${command.base}${where}: \`${command.snippet}\`. ` +
    `Commands that raise privileges (${PRIVILEGED_LIST}) do not run unless sudo_bypass is turned on in the profile.`
  );
}

/** The refusal for what the walk could not see through. */
export function unresolvedReason(u: Unresolved): string {
  switch (u.kind) {
    case 'computed':
      return `Blocked: ${u.detail}${u.where}: \`${u.snippet}\`, so Atelier cannot tell whether it would run sudo. Write the command out literally.`;
    case 'syntax': {
      const inside = u.via.length ? ` inside ${u.via.join(' → ')}` : '';
      return `Blocked: the command is not valid shell syntax${inside} (${u.detail}); a command that cannot be parsed cannot be checked for sudo, so it is not run.`;
    }
    case 'depth':
      return `Blocked: shell text nested more than ${SUDO_GUARD_MAX_DEPTH} levels deep (${u.detail}) is not followed, so it cannot be checked for sudo.`;
    case 'stdin-shell':
      return (
        `Blocked: \`${u.snippet}\` starts a shell that reads its commands from standard input${u.where}, ` +
        `which Atelier cannot check for sudo. Pass the commands with ${u.detail} -c '…' instead.`
      );
  }
}

/** Decides whether `command` would raise privileges; see the module comment for what is followed. */
export function checkCommand(command: string, options: SudoGuardOptions = {}): SudoVerdict {
  try {
    walkCommands(command, {
      env: options.env ?? process.env,
      visit: (c) => {
        if (PRIVILEGED_COMMANDS.has(c.base)) throw new Privileged(privilegedReason(c));
      },
    });
    return { blocked: false };
  } catch (err) {
    if (err instanceof Privileged) return { blocked: true, reason: err.message };
    if (err instanceof UnresolvedError) return { blocked: true, reason: unresolvedReason(err.unresolved) };
    // Fail closed: a command the guard could not finish checking (too deep for the stack, a parser fault) does not run.
    return { blocked: true, reason: `Blocked: the command could not be checked for sudo (${(err as Error).message}), so it is not run.` };
  }
}
