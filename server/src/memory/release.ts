import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Gives back to the system the memory the C allocator keeps after it was freed.
 *
 * glibc keeps freed chunks in its arenas, and each thread's arena outlives the thread: once a
 * worker (the terminal mirror, the WAL checkpointer) has stopped, what it and V8's compiler
 * threads freed stays resident (~4–5 MB after 50 terminals). `malloc_trim(0)` returns every free
 * page of every arena. Node has no binding for it, so Atelier builds one at install
 * (`server/native/`). Without it Atelier works the same and keeps that memory;
 * `releaseStatus()` says why.
 */

interface Addon {
  /** glibc: there is something to trim. */
  readonly supported: boolean;
  /** True when some memory went back to the system. */
  release(): boolean;
}

/** Unavailable with the addon loaded: a C library other than glibc, nothing to trim. Not loaded: the build failed. */
export type ReleaseStatus = { available: true } | { available: false; loaded: boolean; why: string };

/** Relative to this file in `server/src` and in `server/dist` alike. */
const ADDON = '../../native/build/Release/release_memory.node';
const BUILD = '../../native/build.mjs';

let addon: Addon | null | undefined;
let missing = '';

function load(): Addon | null {
  if (addon !== undefined) return addon;
  try {
    addon = createRequire(import.meta.url)(ADDON) as Addon;
    if (!addon.supported) missing = 'this C library is not glibc and has no malloc_trim';
  } catch (err) {
    addon = null;
    missing = `its native addon did not load (${(err as Error).message.split('\n')[0]}); build it with \`node ${fileURLToPath(new URL(BUILD, import.meta.url))}\``;
  }
  return addon;
}

/** Whether freed memory can be given back here, and if not, why. */
export function releaseStatus(): ReleaseStatus {
  const a = load();
  return a?.supported ? { available: true } : { available: false, loaded: a !== null, why: missing };
}

/**
 * Returns free pages to the system; true when some went back. Call it when a burst of work is
 * over (a worker stopped), not on a hot path: it walks every arena and blocks the caller while it
 * does (measured here: 4.8 ms to return 68 MB, so about half a millisecond for the ~5 MB a
 * stopped mirror worker leaves).
 */
export function releaseFreedMemory(): boolean {
  const a = load();
  return a?.supported ? a.release() : false;
}
