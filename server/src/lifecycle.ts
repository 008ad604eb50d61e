import type { ChildProcess } from 'node:child_process';
import { SHUTDOWN_GRACE_MS } from './limits.js';

/**
 * What must be undone at shutdown: child processes still running and resources to close.
 * Closers run in reverse order of registration (last opened, first closed).
 */
export class Lifecycle {
  /** Each tracked child, with whether it leads its own process group (spawned `detached`). */
  readonly #children = new Map<ChildProcess, boolean>();
  readonly #closers: (() => void | Promise<void>)[] = [];
  #closing = false;

  /** Tracks a child so shutdown can kill it (its whole process group when it leads one). */
  track(child: ChildProcess, options: { group?: boolean } = {}): ChildProcess {
    this.#children.set(child, options.group ?? false);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** Registers something to close at shutdown. */
  onClose(fn: () => void | Promise<void>): void {
    this.#closers.push(fn);
  }

  /** True once shutdown has begun; long-running work should stop starting new things. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Kills tracked children (TERM, then KILL after a grace period) and runs closers. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await Promise.all([...this.#children].map(([child, group]) => killChild(child, group)));
    for (const fn of this.#closers.reverse()) await fn();
  }
}

/** Signals a child, or its whole process group when it leads one, so grandchildren go too. */
export function signalChild(child: ChildProcess, group: boolean, sig: NodeJS.Signals): void {
  try {
    if (group && child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, sig);
    else child.kill(sig);
  } catch {
    child.kill(sig);
  }
}

function killChild(child: ChildProcess, group: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => signalChild(child, group, 'SIGKILL'), SHUTDOWN_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signalChild(child, group, 'SIGTERM');
  });
}
