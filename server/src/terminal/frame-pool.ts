/** One frame of output, shared by every viewer it is sent to. */
export interface Frame {
  readonly data: Buffer;
  /** Takes a hold on the frame's bytes; call the returned function once they are written. */
  hold(): () => void;
}

/**
 * Buffers that batched PTY reads are copied into, reused once every socket has written them.
 * A fresh Buffer.concat per frame put ~41 MB of short-lived memory outside V8's heap per 41 MB
 * of output, which V8 counts towards its next full mark-compact until a scavenge frees it (see
 * young-gc.ts); reused buffers take that half of the churn away. A buffer goes back to the pool
 * only when its last hold is released, so bytes still queued on a slow socket are never
 * overwritten; a frame larger than a buffer, or made while none is free, is allocated afresh.
 */
export class FramePool {
  readonly #free: Buffer[] = [];

  constructor(
    /** Size of each pooled buffer: the largest frame it serves. */
    readonly bufferBytes: number,
    /** Free buffers kept at most; the pool is shared by all sessions. */
    readonly maxFree: number,
  ) {}

  /** Buffers ready for reuse. */
  get freeCount(): number {
    return this.#free.length;
  }

  /** Lets go of the free buffers (no session is left to use them); a frame still being written keeps its own. */
  drop(): void {
    this.#free.length = 0;
  }

  /**
   * The chunks as one frame of `size` bytes. Its buffer returns to the pool once every hold
   * taken on it is released: the caller takes one while it hands the frame out, each viewer
   * another.
   */
  frame(chunks: readonly Buffer[], size: number): Frame {
    if (chunks.length === 1) return unpooled(chunks[0]!);
    const pooled = size <= this.bufferBytes ? (this.#free.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes)) : null;
    const target = pooled ?? Buffer.allocUnsafe(size);
    let offset = 0;
    for (const chunk of chunks) offset += chunk.copy(target, offset);
    const data = target.subarray(0, size);
    if (!pooled) return unpooled(data);

    let holds = 0;
    const hold = (): (() => void) => {
      holds++;
      let released = false;
      return () => {
        if (released) return; // a callback called twice must not free a buffer another viewer still holds
        released = true;
        if (--holds === 0 && this.#free.length < this.maxFree) this.#free.push(pooled);
      };
    };
    return { data, hold };
  }
}

/** A frame whose buffer is not the pool's: nothing to give back. */
function unpooled(data: Buffer): Frame {
  return { data, hold: () => noop };
}

const noop = (): void => undefined;
