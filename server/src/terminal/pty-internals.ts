/**
 * What node-pty's Unix terminal keeps and its typings do not show: the master fd, the stream
 * reading it and the queue of writes made on libuv's thread pool. Windows' ConPTY has none of them.
 */
export interface UnixPtyInternals {
  _fd?: unknown;
  _socket?: { destroy: (...args: unknown[]) => unknown; read: () => unknown };
  _writeStream?: { _writeQueue?: unknown[] };
}
