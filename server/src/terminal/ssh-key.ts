import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SSH_KEY_UNLOCK_TIMEOUT_MS } from '../limits.js';
import type { UnlockAnswer } from './ssh-key-worker.js';

/** A private key ready for ssh2, or why it cannot be used. */
export type Unlocked = { ok: true; key: string | Buffer } | { ok: false; message: string };

/** Opens private keys for ssh2 without blocking the event loop. */
export interface KeyUnlocker {
  unlock(key: string | Buffer, passphrase: string | null | undefined): Promise<Unlocked>;
}

/**
 * Decrypts passphrase-protected keys in a worker thread, one short-lived worker per key (a
 * connect or a save that changes the key), and hands ssh2 the decrypted key, which it parses
 * without the ~0.4 s bcrypt. A key without a passphrase goes to ssh2 as it is. The decrypted
 * key lives only in memory, for the connection being made. The worker runs from server/dist/
 * (worker threads cannot load TypeScript; the build precedes start and tests).
 */
export function workerKeyUnlocker(rootDir: string): KeyUnlocker {
  const script = join(rootDir, 'server', 'dist', 'terminal', 'ssh-key-worker.js');
  return {
    unlock(key, passphrase) {
      if (!passphrase) return Promise.resolve({ ok: true, key });
      return new Promise((resolve) => {
        const worker = new Worker(script, { workerData: { key, passphrase } });
        let settled = false;
        const settle = (answer: Unlocked): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(answer);
          void worker.terminate();
        };
        const timer = setTimeout(
          () => settle({ ok: false, message: `decrypting the key took over ${SSH_KEY_UNLOCK_TIMEOUT_MS / 1000} s (too many KDF rounds?)` }),
          SSH_KEY_UNLOCK_TIMEOUT_MS,
        );
        worker.once('message', (answer: UnlockAnswer) => settle('key' in answer ? { ok: true, key: answer.key } : { ok: false, message: answer.error }));
        worker.once('error', (err) => settle({ ok: false, message: `the key could not be read: ${err.message}` }));
        worker.once('exit', (code) => settle({ ok: false, message: `the key reader stopped (exit ${code})` }));
      });
    },
  };
}
