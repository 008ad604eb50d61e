import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's gc() as `--expose-gc` installs it; `type: 'minor'` runs a scavenge of the young generation only. */
type GcFunction = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

/**
 * Terminal output moves through this process as short-lived Buffers (one per PTY read, one per
 * frame) whose bytes live outside V8's heap; V8 frees the dead ones only when a scavenge runs,
 * and counts them towards its next full mark-compact until then. A scavenge every
 * YOUNG_GC_EVERY_BYTES of output frees them first; none runs while the terminals are quiet.
 * What this saved, measured: docs/performance.md.
 */
export class YoungGcPacer {
  #bytes = 0;

  constructor(
    readonly everyBytes: number,
    readonly collect: () => void,
  ) {}

  /** Counts output bytes that just passed through; scavenges once every `everyBytes`. */
  passed(bytes: number): void {
    this.#bytes += bytes;
    if (this.#bytes < this.everyBytes) return;
    this.#bytes = 0;
    this.collect();
  }
}

/** Output between two scavenges: well under the ~24 MB of slack V8 leaves, even if each byte is allocated twice (read and frame). */
export const YOUNG_GC_EVERY_BYTES = 4 * 1024 * 1024;

/** gc(), once found: every server in the process (tests build many) shares one. */
let gcFunction: GcFunction | undefined;

/**
 * A function that runs a scavenge now. It uses gc() if the process was started with
 * `--expose-gc`, else turns that flag on and takes gc() from a fresh context (what the flag
 * would have put on the global), leaving the global object untouched.
 */
export function scavenger(): () => void {
  gcFunction ??= (globalThis as { gc?: GcFunction }).gc;
  if (!gcFunction) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as GcFunction;
  }
  const run = gcFunction;
  return () => run({ type: 'minor' });
}
