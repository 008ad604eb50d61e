// Runs the compiled CLI as a user would: `node server/dist/main.js …` (built by the global setup).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The compiled entry point. */
export const MAIN = join(process.cwd(), 'server', 'dist', 'main.js');

/** A CLI process with its output so far and its exit. */
export interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the CLI with `env` over this environment (ATELIER_LOG_LEVEL=warn by default). */
export function spawnCli(args: string[], env: Record<string, string | undefined> = {}): Cli {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ATELIER_LOG_LEVEL: 'warn', ...env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs the CLI to its end. */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = spawnCli(args, env);
  const { code } = await c.exited;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** Waits for the sign-in URL a started server prints. */
export async function readyUrl(c: Cli): Promise<URL> {
  for (let i = 0; i < 200; i++) {
    const m = c.stdout().match(/(http:\/\/\S+\/\?token=\S+)/);
    if (m) return new URL(m[1]!);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no URL printed; stderr: ${c.stderr()}`);
}
