import type { Logger } from 'pino';
import type { z } from 'zod';
import { issuesText } from '../issues-text.js';
import type { Contract } from '../wire/contract.js';
import { StreamDoneSchema, StreamErrorSchema } from '../wire/routes/common.js';
import { AppError } from './errors.js';

/**
 * Holds every answer and every SSE event to its route's schema. Turned on in tests
 * (ATELIER_CHECK_RESPONSES=1), so a handler that drifts from its contract fails the test that
 * called it: the schemas the studio and the OpenAPI document are typed by stay true.
 */
export class ResponseCheck {
  constructor(readonly log?: Logger) {}

  /** Throws 500 RESPONSE_INVALID when a JSON answer does not match `response`. */
  answer(route: Contract, result: unknown): void {
    const schema = route.response;
    if (!schema) {
      if (result === undefined && (route.events || route.file)) return; // wrote its stream or file itself
      this.#fail(route, `answered ${result === undefined ? 'nothing' : 'JSON'}, but the route declares no response schema`);
    }
    const parsed = schema.safeParse(result);
    if (!parsed.success) this.#fail(route, issuesText(parsed.error.issues));
  }

  /** The event to send: itself when it matches `events`, else a RESPONSE_INVALID error event. */
  event(route: Contract, event: unknown): unknown {
    if (StreamDoneSchema.safeParse(event).success || StreamErrorSchema.safeParse(event).success) return event;
    const parsed: z.ZodSafeParseResult<unknown> | undefined = route.events?.safeParse(event);
    if (parsed?.success) return event;
    const why = parsed ? issuesText(parsed.error.issues) : 'the route declares no events schema';
    this.log?.error({ route: `${route.method.toUpperCase()} ${route.path}`, event, why }, 'event does not match its schema');
    return { error: `Event of ${route.method.toUpperCase()} ${route.path} does not match its schema: ${why}`, code: 'RESPONSE_INVALID' };
  }

  #fail(route: Contract, why: string): never {
    const name = `${route.method.toUpperCase()} ${route.path}`;
    this.log?.error({ route: name, why }, 'answer does not match its schema');
    throw new AppError(500, 'RESPONSE_INVALID', `The answer of ${name} does not match its schema: ${why}`);
  }
}
