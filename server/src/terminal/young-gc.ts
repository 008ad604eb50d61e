import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's gc() as `--expose-gc` installs it; `type: 'minor'` runs a scavenge of the young generation only. */
type GcFunction = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

/**
 * Terminal output moves through this process as short-lived Buffers: one per PTY read (~4 KB)
 * and one per frame. Their bytes live outside V8's heap, and V8 counts every such byte allocated
 * since its last full mark-compact against the old generation's limit; it frees the dead ones
 * only when a young-generation scavenge runs, and with little JavaScript allocated meanwhile
 * none may run for hundreds of ms. So a flood started a mark-compact of the whole ~17 MB heap
 * every ~24 MB of buffers (measured: 2–3 per 41 MB transfer, ~1.5–3 ms/MB of CPU on V8's
 * helper threads, which the PTY's writer then lacked on this 2-core box). A scavenge every
 * YOUNG_GC_EVERY_BYTES of output frees those buffers first; each takes ~0.2–0.7 ms, and none
 * runs while the terminals are quiet. Some server runs still saw 4–5 mark-compacts per transfer
 * (V8's background sweep of the freed buffers seems to lag); frames copied into reused buffers
 * (frame-pool.ts) took half the churn away and those runs down to 0–1.
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
