import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { z } from 'zod';
import { DEFAULT_BODY_LIMIT_BYTES } from '../limits.js';
import { AppError } from './errors.js';
import { TokenBucket } from './rate-limit.js';
import { hasBody } from './request.js';
import type { TurnGate } from './turn-gate.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a handler receives: the validated body, query and path params, plus the raw req/res for streaming. */
export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  req: Request;
  res: Response;
}

/**
 * One route, described once: the same zod schemas validate the request, type the
 * handler and generate the OpenAPI document (the opencode way).
 */
export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: Method;
  /** Express path, e.g. `/api/conversations/:id`. */
  path: string;
  /** One line for the OpenAPI document. */
  summary: string;
  /** The capability that owns the route (OpenAPI tag). */
  tag: string;
  body?: B;
  query?: Q;
  params?: P;
  /** Shape of a 200 JSON answer; documentation only. */
  response?: z.ZodType;
  /** `sse` routes stream `text/event-stream` (when asked to) instead of answering JSON. */
  streams?: boolean;
  /** Overrides the 1 MB default body limit. */
  bodyLimitBytes?: number;
  /** At most `requests` per `perMs` (a token bucket); beyond, 429 RATE_LIMITED with Retry-After. */
  rateLimit?: { requests: number; perMs: number };
  /**
   * Spreads bursts of this route over event-loop turns: requests wait at the gate before anything
   * else is done with them, security checks and body parsing included (see turn-gate.ts).
   */
  turnGate?: TurnGate;
  /** Returns the JSON answer, or writes to `res` itself and returns undefined. */
  handler: (ctx: RouteContext<z.output<B>, z.output<Q>, z.output<P>>) => unknown;
}

type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

/** Formats zod issues so the message names each field at fault. */
export function validationError(where: string, error: z.ZodError): AppError {
  const issues = error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = [...issue.path, ...keys].map(String).join('.') || where;
    return { path, message: issue.message };
  });
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new AppError(400, 'VALIDATION_FAILED', `Invalid ${where}: ${summary}`, { issues });
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

/** A set of routes that builds an Express router and documents itself. */
export class Api {
  readonly #routes: AnyRoute[] = [];

  /** Registers a route. */
  route<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodType<Record<string, never>>, P extends z.ZodType = z.ZodType<Record<string, never>>>(
    spec: RouteSpec<B, Q, P>,
  ): void {
    this.#routes.push(spec as unknown as AnyRoute);
  }

  /** Every registered route, in registration order. */
  get routes(): readonly AnyRoute[] {
    return this.#routes;
  }

  /**
   * Middleware to mount before everything else: a request for a route with a `turnGate` waits
   * there first, so even the work done on it before its handler is spread over turns. Routes are
   * matched by exact path, so a gate belongs on a route without path parameters.
   */
  gates(): RequestHandler {
    const gated = this.#routes.filter((r) => r.turnGate);
    return (req, _res, next) => {
      const route = gated.find((r) => r.method === req.method.toLowerCase() && r.path === req.path);
      if (!route) return next();
      void route.turnGate!.pass().then(() => next());
    };
  }

  /** An Express router serving every registered route. */
  router(): Router {
    // Case-sensitive like the security guard's path checks: /API/x must not reach /api/x.
    const router = Router({ caseSensitive: true, strict: false });
    for (const spec of this.#routes) {
      const jsonParser = express.json({ limit: spec.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES, strict: false });
      const bucket = spec.rateLimit && new TokenBucket(spec.rateLimit.requests, spec.rateLimit.perMs);
      router[spec.method](spec.path, jsonParser, async (req, res, next) => {
        try {
          const waitS = bucket?.take() ?? 0;
          if (waitS > 0) {
            res.setHeader('Retry-After', String(waitS));
            throw new AppError(429, 'RATE_LIMITED', `Too many ${spec.method.toUpperCase()} ${spec.path} requests; retry in ${waitS} s`);
          }
          // A route with a body schema treats "no body" as {} (every field optional → defaults).
          const body = parse(spec.body, spec.body ? (hasBody(req) ? req.body : {}) : undefined, 'body');
          const query = parse(spec.query, { ...req.query }, 'query');
          const params = parse(spec.params, { ...req.params }, 'path');
          const result = await spec.handler({ body, query, params, req, res } as never);
          if (!res.headersSent && result !== undefined) res.json(result);
          else if (!res.headersSent) res.status(204).end();
        } catch (err) {
          next(err);
        }
      });
    }
    return router;
  }
}

