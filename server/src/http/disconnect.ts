import type { Response } from 'express';

/**
 * A signal that aborts when the client goes away before the answer is written, so the work
 * done for it (a provider request, a tool and what it spawned) stops too.
 */
export function abortOnDisconnect(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
