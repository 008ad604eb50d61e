import { spawn, type ChildProcess } from 'node:child_process';
import { signalChild } from '../lifecycle.js';
import { TOOL_VERSION_OUTPUT_MAX_BYTES, TOOL_VERSION_TIMEOUT_MS } from '../limits.js';

/** The first dotted number and its suffix: "v20.1.0" → "20.1.0", "3.3a", "9.2p1", "1.0.0-beta.2+sha". */
export const DEFAULT_VERSION_PATTERN = /\d+\.\d+(\.\d+)?([-.+\w]*)?/;

// Colour codes some CLIs print even into a pipe; they would split a version in two.
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]/g;

/**
 * The version in a command's output: group 1 of `pattern` when it has one, else its whole match.
 * A tool's own pattern that misses falls back to the default (gcc on macOS is really clang).
 */
export function extractVersion(output: string, pattern?: RegExp): string | null {
  const text = output.replace(ANSI_ESCAPE, '');
  for (const re of pattern ? [pattern, DEFAULT_VERSION_PATTERN] : [DEFAULT_VERSION_PATTERN]) {
    const match = re.exec(text);
    if (match) return (re === DEFAULT_VERSION_PATTERN ? match[0] : (match[1] ?? match[0])).trim() || null;
  }
  return null;
}

/** What running a version command produced. */
export interface CommandOutput {
  /** stdout then stderr (java and ssh print their version on stderr), capped. */
  output: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the command could not start (EACCES, ENOEXEC, …). */
  spawnError: string | null;
}

/** How to run one version command. */
export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Called with each child as it starts, e.g. `lifecycle.track` so shutdown kills it. */
  onSpawn?: (child: ChildProcess, group: boolean) => void;
}

/** Windows runs .cmd/.bat only through cmd.exe (Node refuses them without a shell since 20.12). */
function commandLine(file: string, args: readonly string[]): { command: string; args: string[]; verbatim: boolean } {
  if (process.platform === 'win32' && /\.(cmd|bat)$/i.test(file)) {
    const line = [file, ...args].map((a) => `"${a}"`).join(' ');
    return { command: process.env.ComSpec ?? 'cmd.exe', args: ['/d', '/s', '/c', `"${line}"`], verbatim: true };
  }
  return { command: file, args: [...args], verbatim: false };
}

/**
 * Runs `file args` without a shell, stdin closed, and collects its output. On timeout the
 * whole process group is killed: a wrapper script's own children (a `sleep`, a node process)
 * would otherwise keep the pipes open and outlive the scan.
 */
export function runVersionCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandOutput> {
  const timeoutMs = options.timeoutMs ?? TOOL_VERSION_TIMEOUT_MS;
  // A process group needs `detached` on POSIX; on Windows it would open a console window.
  const group = process.platform !== 'win32';
  const cmd = commandLine(file, args);
  return new Promise((resolve) => {
    const chunks: { out: Buffer[]; err: Buffer[] } = { out: [], err: [] };
    let bytes = 0;
    let timedOut = false;
    let settled = false;
    let child: ChildProcess;
    const finish = (result: Omit<CommandOutput, 'output' | 'timedOut'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const output = Buffer.concat([...chunks.out, ...chunks.err]).toString('utf8');
      resolve({ output, timedOut, ...result });
    };
    try {
      child = spawn(cmd.command, cmd.args, {
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: group,
        windowsHide: true,
        windowsVerbatimArguments: cmd.verbatim,
      });
    } catch (err) {
      // Synchronous spawn failures (EINVAL on Windows, bad arguments) are answers too.
      resolve({ output: '', exitCode: null, signal: null, timedOut: false, spawnError: (err as Error).message });
      return;
    }
    options.onSpawn?.(child, group);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      if (bytes >= TOOL_VERSION_OUTPUT_MAX_BYTES) return;
      const kept = chunk.subarray(0, TOOL_VERSION_OUTPUT_MAX_BYTES - bytes);
      bytes += kept.length;
      into.push(kept);
    };
    child.stdout?.on('data', collect(chunks.out));
    child.stderr?.on('data', collect(chunks.err));
    const timer = setTimeout(() => {
      timedOut = true;
      signalChild(child, group, 'SIGKILL');
      // A grandchild that left the group may still hold the pipes: answer now, not at 'close'.
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish({ exitCode: null, signal: 'SIGKILL', spawnError: null });
    }, timeoutMs);
    child.once('error', (err) => finish({ exitCode: null, signal: null, spawnError: err.message }));
    child.once('close', (code, signal) => finish({ exitCode: code, signal, spawnError: null }));
  });
}
