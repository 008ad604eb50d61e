import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { AppError } from '../http/errors.js';
import type { Lifecycle } from '../lifecycle.js';
import { LSP_INSTALL_ERROR_TAIL_LINES, LSP_INSTALL_OUTPUT_MAX_BYTES } from '../limits.js';
import { findExecutable } from '../system/which.js';
import { runInGroup, type GroupRunResult } from '../tools/process.js';
import type { LspInstallPhase } from '../wire/lsp.js';
import { installMethod, type InstallableSpec, type InstallStep } from './install-methods.js';
import type { ServerLocator } from './locate.js';
import type { ManagedPrefix, ManifestEntry } from './prefix.js';
import type { LspServerSpec } from './registry.js';

// Colour codes and cursor moves some installers print even into a pipe.
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Cuts a stream of text into lines (\n, \r\n, or a progress bar's bare \r), keeping a partial last line for later. */
export class LineSplitter {
  #rest = '';

  /** The complete lines in `text` (plus what was pending). */
  push(text: string): string[] {
    const parts = (this.#rest + text).split(/\r\n|\n|\r/);
    this.#rest = parts.pop() ?? '';
    return parts.map((l) => l.replace(ANSI_ESCAPE, '')).filter((l) => l.trim() !== '');
  }

  /** The pending partial line, if any. */
  flush(): string[] {
    const last = this.#rest.replace(ANSI_ESCAPE, '');
    this.#rest = '';
    return last.trim() === '' ? [] : [last];
  }
}

/** What an install needs besides the server: where to put it, how to find it after, and where to report. */
export interface InstallContext {
  prefix: ManagedPrefix;
  locator: ServerLocator;
  registry: readonly LspServerSpec[];
  lifecycle?: Lifecycle;
  timeoutMs: number;
  onProgress: (phase: LspInstallPhase, line: string) => void;
}

/** A successful install: the manifest entries to record (the server, plus siblings from the same npm package). */
export interface InstallOutcome {
  entries: Record<string, ManifestEntry>;
  output: string;
}

/** The last lines of an installer's output, quoted in its error. */
function tail(output: string): string {
  const lines = output.replace(ANSI_ESCAPE, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(-LSP_INSTALL_ERROR_TAIL_LINES).join('\n');
}

function whyFailed(run: GroupRunResult, timeoutMs: number): string | null {
  if (run.spawnError) return `could not start: ${run.spawnError}`;
  if (run.timedOut) return `timed out after ${Math.round(timeoutMs / 1000)} s`;
  if (run.aborted) return 'aborted';
  if (run.exitCode !== 0) return run.exitCode === null ? `killed by ${run.signal}` : `exit code ${run.exitCode}`;
  return null;
}

async function runStep(step: InstallStep, ctx: InstallContext): Promise<string> {
  ctx.onProgress(step.phase, `$ ${[step.file, ...step.args].join(' ')}`);
  const lines = new LineSplitter();
  const run = await runInGroup({
    file: step.file,
    args: step.args,
    cwd: ctx.prefix.root,
    env: { ...ctx.locator.env, ...step.env },
    timeoutMs: ctx.timeoutMs,
    maxOutputBytes: LSP_INSTALL_OUTPUT_MAX_BYTES,
    lifecycle: ctx.lifecycle,
    onOutput: (text) => lines.push(text).forEach((line) => ctx.onProgress(step.phase, line)),
  });
  lines.flush().forEach((line) => ctx.onProgress(step.phase, line));
  const why = whyFailed(run, ctx.timeoutMs);
  if (why) {
    const quoted = tail(run.output);
    throw new AppError(502, 'INSTALL_FAILED', `${step.phase} step failed (${why})${quoted ? `:\n${quoted}` : ''}`);
  }
  return run.output;
}

/** Finds the binary an install produced: in the method's bin directory, or by asking rustup. */
async function installedBinary(server: LspServerSpec, install: InstallableSpec, ctx: InstallContext, toolchain: string): Promise<string | null> {
  const dir = installMethod(install).binDir(server, ctx.prefix);
  if (dir === null) return ctx.locator.rustupWhich(toolchain, server.command);
  return findExecutable([server.command], { PATH: dir, PATHEXT: ctx.locator.env.PATHEXT });
}

/** Checks that `server`'s binary exists and runs; answers its manifest entry or throws INSTALL_FAILED. */
async function verify(server: LspServerSpec, install: InstallableSpec, ctx: InstallContext, toolchain: string): Promise<ManifestEntry> {
  const path = await installedBinary(server, install, ctx, toolchain);
  if (!path) throw new AppError(502, 'INSTALL_FAILED', `The install finished but ${server.command} was not found where it should be (${installMethod(install).binDir(server, ctx.prefix) ?? `rustup which ${server.command}`})`);
  let version: string | null = install.method === 'npm' ? ctx.prefix.npmPackageVersion(install.package) : null;
  if (server.version_args) {
    const reading = await ctx.locator.probe(path, server.version_args);
    if (reading.error && !reading.version) throw new AppError(502, 'INSTALL_FAILED', `${server.command} was installed at ${path} but does not run: ${reading.error}`);
    version = reading.version ?? version;
  }
  ctx.onProgress('verify', `${server.command} ${version ?? '(no version)'} at ${path}`);
  return { method: install.method, path, version, spec: installMethod(install).describe(install), installed_at: new Date().toISOString() };
}

/**
 * Runs the install commands of `server`, then checks that its binary exists and answers its
 * version command. Throws INSTALL_FAILED (with the installer's last lines) on the first
 * failure; nothing is recorded then. A pip install that fails removes the venv it created.
 */
export async function runInstall(server: LspServerSpec, install: InstallableSpec, toolchain: string, ctx: InstallContext): Promise<InstallOutcome> {
  const method = installMethod(install);
  mkdirSync(ctx.prefix.root, { recursive: true });
  if (install.method === 'npm') ctx.prefix.ensureNpmProject();
  const venvIsNew = install.method === 'pip' && !existsSync(ctx.prefix.venv(server.id));
  const outputs: string[] = [];
  try {
    for (const step of method.steps(install, server, ctx.prefix, toolchain)) outputs.push(await runStep(step, ctx));
    const entries: Record<string, ManifestEntry> = { [server.id]: await verify(server, install, ctx, toolchain) };
    // One npm package can hold several servers (vscode-langservers-extracted): register those that arrived too.
    const siblings = install.method === 'npm' ? ctx.registry.filter((s) => s.id !== server.id && s.install.method === 'npm' && s.install.package === install.package) : [];
    for (const sibling of siblings) {
      try {
        entries[sibling.id] = await verify(sibling, install, ctx, toolchain);
      } catch {
        // A sibling that does not run stays unregistered; the server asked for is what matters.
      }
    }
    return { entries, output: outputs.join('\n') };
  } catch (err) {
    if (venvIsNew) rmSync(ctx.prefix.venv(server.id), { recursive: true, force: true });
    throw err;
  }
}
