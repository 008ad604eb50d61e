/**
 * The kernel guard for sudo (issue 16): with `sudo_bypass` off, every process the AI's tools
 * start runs under `setpriv --no-new-privs` (util-linux). The kernel's no_new_privs flag is
 * inherited by every child and cannot be cleared, and with it set, execve never grants the
 * privileges of a setuid or setcap program — so sudo, su, doas, pkexec, run0 cannot raise
 * privileges however the command spells them (`python3 -c 'os.system("sudo id")'`, a script
 * file, `$x`). The static guard (sudo-guard.ts) still runs first for its clear refusal.
 *
 * Linux only: other platforms have no such flag, and get the static guard alone.
 * Terminals the user opens are not started through here.
 */
import { findExecutable } from '../system/which.js';
import { ToolFailure } from './failure.js';

/** A program and its arguments, as runInGroup takes them. */
export interface Command {
  file: string;
  args: string[];
}

/** Where setpriv lives on every Linux distribution, should the server's PATH be narrow. */
const SYSTEM_DIRS = '/usr/bin:/bin:/usr/sbin:/sbin';
let setpriv: string | null = null;

/** Whether tools run under the kernel guard on this platform with this profile. */
export function kernelGuardApplies(sudoBypass: boolean, platform: NodeJS.Platform = process.platform): boolean {
  return !sudoBypass && platform === 'linux';
}

/**
 * The command to run instead: wrapped in `setpriv --no-new-privs` when the guard applies.
 * Fails closed: without setpriv the call runs nothing (GUARD_UNAVAILABLE).
 */
export async function withoutNewPrivileges(command: Command, sudoBypass: boolean): Promise<Command> {
  if (!kernelGuardApplies(sudoBypass)) return command;
  // Found once; a miss is looked up again next time (util-linux may be installed meanwhile).
  setpriv ??= await findExecutable(['setpriv'], { PATH: [process.env.PATH, SYSTEM_DIRS].filter(Boolean).join(':') });
  if (!setpriv) {
    throw new ToolFailure(
      'GUARD_UNAVAILABLE',
      'Nothing was run: setpriv (util-linux) is not installed, and tools run under it so that no command can gain privileges through sudo or another setuid program. Install util-linux (e.g. apt-get install util-linux), or turn on sudo_bypass in the profile to run without the guard.',
    );
  }
  return { file: setpriv, args: ['--no-new-privs', '--', command.file, ...command.args] };
}
