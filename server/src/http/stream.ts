import type { Logger } from 'pino';
import type { SseWriter } from './sse.js';
import { AppError } from './errors.js';

/** The `{error, code}` event of a stream whose work failed. */
export interface StreamError {
  error: string;
  code: string;
}

/**
 * The event a failure becomes, logged: an AppError keeps its message and code (a warning); any
 * other error is logged with its stack and sent as INTERNAL, without its internals.
 */
export function streamError(err: unknown, log: Logger, context: object): StreamError {
  if (err instanceof AppError) {
    log.warn({ ...context, code: err.code, error: err.message }, 'stream ended with an error');
    return { error: err.message, code: err.code };
  }
  log.error({ ...context, err }, 'stream failed');
  return { error: 'Internal server error', code: 'INTERNAL' };
}

/** Runs `work` on an open stream: its events, then `{done}`; a failure sends one `{error, code}` first. */
export async function streamEvents<E>(sse: SseWriter<E>, log: Logger, context: object, work: (send: (event: E) => void) => Promise<void>): Promise<void> {
  try {
    await work((event) => sse.send(event));
  } catch (err) {
    sse.send(streamError(err, log, context));
  }
  sse.done();
}

/**
 * The one way a route offers `?stream=true`: without it, `run` works silently and its result is
 * the JSON answer (a failure is the usual HTTP error); with it, the route streams `run`'s progress
 * events, then `last(result)`, then `{done}`. Checks that refuse the request belong before this
 * call, so a refusal is a plain HTTP error either way.
 */
export async function streamOrJson<R, E>(
  route: { stream: boolean; sse: () => SseWriter<E>; log: Logger; context: object },
  run: (progress: (event: E) => void) => Promise<R>,
  last: (result: R) => E,
): Promise<R | undefined> {
  if (!route.stream) return run(() => {});
  await streamEvents(route.sse(), route.log, route.context, async (send) => send(last(await run(send))));
  return undefined;
}
