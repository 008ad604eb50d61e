import { writeSync } from 'node:fs';
import type { IPty } from 'node-pty';
import type { UnixPtyInternals } from './pty-internals.js';

/**
 * Writes input to a PTY from this thread when nothing is queued before it. node-pty queues every
 * write and makes it with fs.write on libuv's thread pool: one more thread to wake and schedule
 * per keystroke, which on a busy two-core machine (V8 compiling on its own threads, say) waits
 * up to a few ms for a core (measured in docs/performance.md). The master fd is non-blocking, so
 * writing it here never blocks the event loop: what the kernel does not take now (EAGAIN, or a
 * partial write of a large paste) goes to node-pty's queue, and while anything is queued every
 * later write queues behind it, so input keeps its order. A write that fails otherwise (EIO once
 * the program has gone) is dropped, as node-pty drops it. Windows' ConPTY has no fd: there every
 * write is node-pty's.
 */
export function directWriter(child: IPty): (data: string) => void {
  const internals = child as unknown as UnixPtyInternals;
  const fd = internals._fd;
  const queue = internals._writeStream?._writeQueue;
  if (typeof fd !== 'number' || !Array.isArray(queue)) return (data) => child.write(data);
  return (data) => {
    if (queue.length > 0) return child.write(data);
    const bytes = Buffer.from(data, 'utf8');
    let written: number;
    try {
      written = writeSync(fd, bytes);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') child.write(bytes);
      return;
    }
    if (written < bytes.length) child.write(bytes.subarray(written));
  };
}
