import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { signalChild, type Lifecycle } from '../lifecycle.js';

/** How to run one tool process. */
export interface GroupRunOptions {
  file: string;
  args: readonly string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Aborting kills the process group at once (a client that disconnected). */
  signal?: AbortSignal;
  /** Output kept; past it the middle is dropped and the result says how much. */
  maxOutputBytes: number;
  /** Tracks the child so a server shutdown kills its group too. */
  lifecycle?: Lifecycle;
  /** Receives the output as it arrives (UTF-8 decoded across chunk boundaries), for live display. */
  onOutput?: (text: string) => void;
}

/** What running it produced. */
export interface GroupRunResult {
  /** stdout and stderr as they arrived, the middle cut when longer than the cap. */
  output: string;
  /** Bytes the process wrote in all, kept or not. */
  totalBytes: number;
  truncated: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Set when the process could not start (ENOENT, EACCES, …). */
  spawnError: string | null;
  durationMs: number;
}

/** After SIGKILL to the group, how long to wait for the leader's exit before answering anyway. */
const EXIT_AFTER_KILL_WAIT_MS = 1_000;

/**
 * Keeps the first and last halves of a stream of chunks: a build log's first error and its
 * summary both survive, and memory stays bounded whatever the process prints.
 */
class OutputCapture {
  readonly #half: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  readonly #tail: Buffer[] = [];
  #tailBytes = 0;
  total = 0;

  constructor(maxBytes: number) {
    this.#half = Math.floor(maxBytes / 2);
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.#headBytes < this.#half) {
      const kept = chunk.subarray(0, this.#half - this.#headBytes);
      this.#head.push(kept);
      this.#headBytes += kept.length;
      chunk = chunk.subarray(kept.length);
      if (chunk.length === 0) return;
    }
    this.#tail.push(chunk);
    this.#tailBytes += chunk.length;
    while (this.#tailBytes - (this.#tail[0]?.length ?? 0) >= this.#half) this.#tailBytes -= this.#tail.shift()!.length;
  }

  /** True once more was written than the cap: the text then misses its middle. */
  get truncated(): boolean {
    return this.total > 2 * this.#half;
  }

  text(): string {
    const head = Buffer.concat(this.#head).toString('utf8');
    const tail = Buffer.concat(this.#tail);
    if (!this.truncated) return head + tail.toString('utf8');
    const kept = tail.subarray(tail.length - this.#half);
    const omitted = this.total - this.#headBytes - kept.length;
    return `${head}\n[… ${formatBytes(omitted)} of output omitted …]\n${kept.toString('utf8')}`;
  }
}

/** "1.5 KB", "340 B": sizes as a person reads them. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Runs `file args` in a process group of its own (POSIX `detached`), stdin closed, and
 * collects stdout and stderr together. On timeout or abort the whole group gets SIGKILL:
 * `bash -c 'sleep 600 & wait'` leaves no sleeping grandchild behind. Like
 * system/version.ts, it answers without waiting for pipes a grandchild that left the group
 * may still hold open.
 */
export function runInGroup(options: GroupRunOptions): Promise<GroupRunResult> {
  const started = Date.now();
  const group = process.platform !== 'win32';
  const capture = new OutputCapture(options.maxOutputBytes);
  const base = { totalBytes: 0, truncated: false, exitCode: null, signal: null, timedOut: false, aborted: false, spawnError: null };
  if (options.signal?.aborted) return Promise.resolve({ ...base, output: '', aborted: true, durationMs: 0 });

  return new Promise((resolve) => {
    let child: ChildProcess;
    let settled = false;
    let timedOut = false;
    let aborted = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        output: capture.text(),
        totalBytes: capture.total,
        truncated: capture.truncated,
        exitCode,
        signal,
        timedOut,
        aborted,
        spawnError,
        durationMs: Date.now() - started,
      });
    };
    const kill = (): void => {
      signalChild(child, group, 'SIGKILL');
      const done = () => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(child.exitCode, child.signalCode ?? 'SIGKILL', null);
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const wait = setTimeout(done, EXIT_AFTER_KILL_WAIT_MS);
      child.once('exit', () => {
        clearTimeout(wait);
        done();
      });
    };
    const onAbort = (): void => {
      if (settled) return;
      aborted = true;
      kill();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);

    try {
      child = spawn(options.file, [...options.args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: group,
        windowsHide: true,
      });
    } catch (err) {
      finish(null, null, (err as Error).message);
      return;
    }
    options.lifecycle?.track(child, { group });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const decoder = options.onOutput ? new StringDecoder('utf8') : null;
    const onData = (chunk: Buffer): void => {
      capture.push(chunk);
      if (decoder) {
        const text = decoder.write(chunk);
        if (text) options.onOutput!(text);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => finish(null, null, err.message));
    child.once('close', (code, signal) => finish(code, signal, null));
  });
}
