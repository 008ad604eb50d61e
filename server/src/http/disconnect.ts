import type { Response } from 'express';

/**
 * A signal that aborts when the client goes away before the answer is written, so the work
 * done for it (a provider request, a tool and what it spawned) stops too.
 */
export function abortOnDisconnect(res: Response): AbortSignal {
  const controller = new AbortController();
  if (clientGone(res)) controller.abort();
  else
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
  return controller.signal;
}

/**
 * True when the client left before we started answering: its 'close' has already fired (a
 * request can wait at a turn gate or behind a burst), so listening for it would wait forever.
 */
export function clientGone(res: Response): boolean {
  return !res.writableFinished && (res.destroyed || !res.socket || res.socket.destroyed);
}
