import { readSync } from 'node:fs';
import type { IPty } from 'node-pty';
import type { UnixPtyInternals } from './pty-internals.js';

/** Read size when draining; the kernel hands out at most a few KB of PTY output per read. */
const DRAIN_READ_BYTES = 64 * 1024;
/**
 * Most bytes taken at the end: what the kernel still buffers for a PTY whose program has exited
 * is far less; a background job that keeps the PTY open and keeps writing stops the loop here.
 */
const DRAIN_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Makes sure the last output of a PTY is read before its stream closes. node-pty reads the master
 * through a libuv stream, and it loses the end of the output in two ways (measured: 0–6 KB of
 * 3 MB written by a program that exits at once, in most runs):
 * - libuv takes POLLHUP after a short read for end of file and stops reading, while the kernel
 *   still holds output for the master (a pipe's hang-up means no more data; a PTY's does not);
 * - when reading is paused (flow control), node-pty destroys the stream 200 ms after the exit,
 *   unread bytes and all.
 * Both end in the stream's destroy(); before it runs, this first empties what the paused stream
 * had read but not yet emitted (read() emits it as 'data', node-pty's usual path), then reads the
 * master directly until the kernel has nothing left (EAGAIN, or EIO once the other side is
 * closed) and hands those bytes to `deliver`; all of it comes before node-pty's exit event, which
 * follows the stream's close. Linux and macOS only: Windows' ConPTY has no master fd.
 */
export function drainBeforeClose(child: IPty, deliver: (chunk: Buffer) => void, wanted: () => boolean): void {
  const internals = child as unknown as UnixPtyInternals;
  const fd = internals._fd;
  const socket = internals._socket;
  if (typeof fd !== 'number' || !socket || typeof socket.destroy !== 'function') return;
  const destroy = socket.destroy;
  socket.destroy = function (this: unknown, ...args: unknown[]) {
    socket.destroy = destroy; // once
    if (wanted()) {
      while (socket.read() !== null); // emitted as 'data'
      drain(fd, deliver);
    }
    return destroy.apply(this, args);
  };
}

function drain(fd: number, deliver: (chunk: Buffer) => void): void {
  let taken = 0;
  while (taken < DRAIN_MAX_BYTES) {
    const buf = Buffer.allocUnsafe(DRAIN_READ_BYTES);
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch {
      return; // EAGAIN: nothing buffered; EIO: the other side is closed and empty; EBADF: closed
    }
    if (n <= 0) return;
    taken += n;
    deliver(buf.subarray(0, n));
  }
}
