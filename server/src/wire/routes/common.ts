/** Schemas many routes share: no query, no body, an id in the path, `?stream=true`, a 204. */
import { z } from 'zod';

export const NoQuery = z.strictObject({});
export const NoBody = z.strictObject({});
/** Any string: an id that cannot exist is simply unknown (404), like any other. */
export const IdParams = z.strictObject({ id: z.string() });
/** `?stream=true` asks for SSE instead of the JSON answer given when the work is done. */
export const StreamQuery = z.strictObject({ stream: z.enum(['true', 'false']).optional() });
/** A 204 answer: no body. */
export const NoContentSchema = z.undefined();

/** The event a stream ends with when its work fails (then `{done:"true"}`). */
export const StreamErrorSchema = z.object({ error: z.string(), code: z.string() });
/** The last event of every stream. */
export const StreamDoneSchema = z.object({ done: z.literal('true') });
