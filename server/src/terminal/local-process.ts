import { constants } from 'node:os';
import { basename } from 'node:path';
import type * as NodePty from 'node-pty';
import { lazyModule } from '../lazy-module.js';
import type { TerminalProcess } from './process.js';
import { drainBeforeClose } from './pty-drain.js';
import { directWriter } from './pty-write.js';

/** What a local or WSL terminal runs. */
export interface LocalSpawn {
  file: string;
  args: string[];
  cwd: string;
  cols: number;
  rows: number;
  title?: string;
  env?: NodeJS.ProcessEnv;
}

/** Loaded with the first terminal. */
const pty = lazyModule<typeof NodePty>('node-pty');

/** Environment for a terminal: the server's, minus Atelier's own secrets, as a colour terminal. */
export function terminalEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, TERM: 'xterm-256color', COLORTERM: 'truecolor', TERM_PROGRAM: 'atelier' };
  delete env.ATELIER_TOKEN;
  return env;
}

/** Spawns a program in a PTY with node-pty; output is read as raw bytes (no decoding on the hot path). */
export function spawnLocal(spec: LocalSpawn): TerminalProcess {
  const child = pty().spawn(spec.file, spec.args, {
    name: 'xterm-256color',
    cols: spec.cols,
    rows: spec.rows,
    cwd: spec.cwd,
    env: terminalEnv(spec.env) as Record<string, string>,
    // null: hand us Buffers instead of decoded strings; a UTF-8 sequence split across reads
    // must reach xterm.js intact, and it decodes bytes itself.
    encoding: null as unknown as string,
  });
  const listeners: ((chunk: Buffer) => void)[] = [];
  let killed = false;
  // The end of the output, which node-pty can drop at the exit, is read before its stream closes.
  drainBeforeClose(child, (chunk) => listeners.forEach((l) => l(chunk)), () => !killed);
  const write = directWriter(child);
  return {
    title: spec.title ?? basename(spec.file),
    onData: (listener) => {
      listeners.push(listener);
      child.onData((data) => listener(typeof data === 'string' ? Buffer.from(data) : (data as unknown as Buffer)));
    },
    onExit: (listener) => {
      child.onExit(({ exitCode, signal }) => listener({ code: exitCode, signal: signal ? signalName(signal) : null }));
    },
    write,
    resize: (cols, rows) => child.resize(cols, rows),
    pause: () => child.pause(),
    resume: () => child.resume(),
    kill: () => {
      killed = true; // what it writes after the hang-up is nobody's
      try {
        child.kill('SIGHUP');
      } catch {
        // already gone
      }
    },
  };
}

function signalName(n: number): string {
  return Object.entries(constants.signals).find(([, value]) => value === n)?.[0] ?? `SIG${n}`;
}
