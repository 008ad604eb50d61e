/** `atelier` (start, or show the running instance), `url`, `open` and `stop`. */
import { mkdirSync } from 'node:fs';
import { CLI_START_WAIT_MS, CLI_STOP_WAIT_MS } from '../limits.js';
import { resolvePaths } from '../paths.js';
import { CliError, EXIT_FAILURE, type CommonOptions } from './args.js';
import { openBrowser } from './browser.js';
import { isAlive } from '../process-alive.js';
import { claimStart, readRuntime, releaseStart, removeRuntime, removeStale, runtimeFilePath, writeRuntime, type RuntimeInfo } from './runtime.js';

const say = (line: string): boolean => process.stdout.write(`${line}\n`);
const warn = (line: string): boolean => process.stderr.write(`atelier: ${line}\n`);

/** Creates the home's directories (0700) so a bad --home fails here in one line, not deep in the server. */
export function ensureHome(home: string | undefined): void {
  const paths = resolvePaths(home);
  for (const dir of new Set([paths.configDir, paths.dataDir])) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new CliError(`cannot create the home directory ${dir}: ${e.code ?? e.message}${e.code === 'ENOTDIR' || e.code === 'EEXIST' ? ' (a file is in the way)' : ''}`);
    }
  }
}

/** The live instance for `home`, or a CliError saying none runs (a stale file is removed on the way). */
function runningInstance(home: string | undefined): RuntimeInfo {
  const file = runtimeFilePath(home);
  const found = readRuntime(file);
  if (found.state === 'running') return found.info;
  if (found.state === 'stale') {
    removeStale(file);
    throw new CliError(`no Atelier is running (removed ${file}, left by pid ${found.info.pid} which is gone)`);
  }
  throw new CliError(`no Atelier is running (no ${file}); start one with \`atelier\``);
}

function showRunning(info: RuntimeInfo, options: CommonOptions): void {
  say(`Atelier ${info.version} is already running (pid ${info.pid}): ${info.sign_in_url}`);
  if (options.open) openBrowser(info.sign_in_url);
}

/**
 * Starts the server, or shows the instance already running with this home. The runtime file
 * is written once listening and removed on any exit but SIGKILL; the next start finds a
 * killed server's file stale (its pid is gone) and replaces it.
 */
export async function start(options: CommonOptions): Promise<void> {
  ensureHome(options.home);
  const file = runtimeFilePath(options.home);
  const found = readRuntime(file);
  if (found.state === 'running') return showRunning(found.info, options);
  if (found.state === 'stale') {
    warn(`replacing ${file}: pid ${found.info.pid} that wrote it is gone`);
    removeStale(file);
  }
  const token = process.env.ATELIER_TOKEN || undefined;
  if (token !== undefined && token.length < 16) throw new CliError('ATELIER_TOKEN must be at least 16 characters', 2);

  // Another start with this home is under way: wait for it to be ready and show it.
  const deadline = Date.now() + CLI_START_WAIT_MS;
  while (!claimStart(file)) {
    const other = readRuntime(file);
    if (other.state === 'running') return showRunning(other.info, options);
    if (Date.now() > deadline) throw new CliError(`another atelier (see ${file}.lock) has been starting with this home for ${CLI_START_WAIT_MS / 1000} s; stop it or remove the lock`);
    await new Promise((r) => setTimeout(r, 50));
  }
  process.on('exit', () => releaseStart(file));
  // The start we waited for may have finished just before we claimed: it is the instance.
  const ready = readRuntime(file);
  if (ready.state === 'running') {
    releaseStart(file);
    return showRunning(ready.info, options);
  }

  // Loaded here, not at the top: `atelier url`, `--version` and `--help` stay fast.
  const { startAtelier, StartError } = await import('../server.js');
  const { ConfigCorruptError } = await import('../config/store.js');
  let atelier;
  try {
    atelier = await startAtelier({ port: options.port, host: options.host, home: options.home, token, allowRemote: options.allowRemote });
  } catch (err) {
    // Another start with this home may have taken the port meanwhile: show it rather than fail.
    const raced = err instanceof StartError ? readRuntime(file) : { state: 'none' as const };
    if (raced.state === 'running') return showRunning(raced.info, options);
    if (err instanceof StartError || err instanceof ConfigCorruptError) throw new CliError(err.message);
    throw err;
  }
  if (atelier.recovery) {
    const r = atelier.recovery;
    warn(`${r.corruptFile} was unreadable (${r.reason}); moved it to ${r.movedTo} and restored generation ${r.fromGeneration}`);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1); // a second Ctrl+C means now
    stopping = true;
    warn(`${signal}, shutting down`);
    atelier.close().then(
      () => process.exit(0),
      (err: unknown) => {
        warn(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  // Handlers first: whoever reads the runtime file or the URL may signal us at once.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('exit', () => removeRuntime(file, process.pid));

  const signInUrl = `${atelier.url}/?token=${encodeURIComponent(atelier.token)}`;
  const info: RuntimeInfo = { pid: process.pid, port: atelier.port, url: atelier.url, sign_in_url: signInUrl, started_at: new Date().toISOString(), version: atelier.version };
  try {
    writeRuntime(file, info);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another start won the race for this home while we were starting: defer to it.
    await atelier.close();
    const other = readRuntime(file);
    if (other.state !== 'running') throw new CliError(`${file} appeared while starting and names no running instance; start again`);
    return showRunning(other.info, options);
  }
  releaseStart(file);
  say(`Atelier ${atelier.version} is ready: ${signInUrl}`);
  if (options.open) openBrowser(signInUrl);
}

/** `atelier url`: the running instance's sign-in URL. */
export function url(options: CommonOptions): void {
  say(runningInstance(options.home).sign_in_url);
}

/** `atelier open`: opens the running instance (and prints its URL, for a machine without a browser). */
export function open(options: CommonOptions): void {
  const info = runningInstance(options.home);
  say(info.sign_in_url);
  openBrowser(info.sign_in_url);
}

/** `atelier stop`: SIGTERM, then waits until the process is gone and its runtime file removed. */
export async function stop(options: CommonOptions): Promise<void> {
  const info = runningInstance(options.home);
  const file = runtimeFilePath(options.home);
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + CLI_STOP_WAIT_MS;
  while (Date.now() < deadline) {
    if (!isAlive(info.pid) && readRuntime(file).state === 'none') {
      say(`Stopped Atelier (pid ${info.pid})`);
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!isAlive(info.pid)) {
    removeStale(file);
    say(`Stopped Atelier (pid ${info.pid}); removed the runtime file it left`);
    return;
  }
  throw new CliError(`pid ${info.pid} is still running ${CLI_STOP_WAIT_MS / 1000} s after SIGTERM; \`kill -9 ${info.pid}\` ends it`, EXIT_FAILURE);
}
