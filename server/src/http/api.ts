import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DEFAULT_BODY_LIMIT_BYTES } from '../limits.js';
import type { Contract, EventSent, Received, Returned } from '../wire/contract.js';
import { AppError } from './errors.js';
import { TokenBucket } from './rate-limit.js';
import { hasBody } from './request.js';
import { ResponseCheck } from './response-check.js';
import { SseWriter } from './sse.js';
import type { TurnGate } from './turn-gate.js';

/** What a handler receives: the validated body, query and path params, plus the raw req/res for streaming. */
export interface RouteContext<C extends Contract> {
  body: Received<C, 'body'>;
  query: Received<C, 'query'>;
  params: Received<C, 'params'>;
  req: Request;
  res: Response;
  /** Opens the route's SSE stream (its `events` schema types what it sends). */
  sse(): SseWriter<EventSent<C>>;
}

/** A handler answers its contract's JSON body; a route that streams or writes a file returns undefined (a 204 answers undefined too). */
type Result<C extends Contract> = Returned<C> | (C extends { events: z.ZodType } | { file: readonly string[] } ? undefined : never);

/**
 * One route, described once: its contract (wire/routes/) validates the request, types the
 * handler and the studio's client, and generates the OpenAPI document (the opencode way).
 */
export interface RouteOptions<C extends Contract> {
  /** One line for the OpenAPI document. */
  summary: string;
  /** The capability that owns the route (OpenAPI tag). */
  tag: string;
  /** Overrides the 1 MB default body limit. */
  bodyLimitBytes?: number;
  /** At most `requests` per `perMs` (a token bucket); beyond, 429 RATE_LIMITED with Retry-After. */
  rateLimit?: { requests: number; perMs: number };
  /**
   * Spreads bursts of this route over event-loop turns: requests wait at the gate before anything
   * else is done with them, security checks and body parsing included (see turn-gate.ts).
   */
  turnGate?: TurnGate;
  /** Returns the JSON answer, or writes to `res` itself (a stream) and returns undefined. */
  handler: (ctx: RouteContext<C>) => Result<C> | Promise<Result<C>>;
}

/** A registered route: its contract and how it is served. */
export type RouteSpec = Contract & Omit<RouteOptions<Contract>, 'handler'> & { handler: (ctx: RouteContext<Contract>) => unknown };

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

/** Registers a group's handlers on the Api (a capability's `register`, once its code is loaded). */
export type Registrar = (api: Api) => void;

/** Routes whose handlers load on the first request under one of their path prefixes (`Api.defer`). */
interface DeferredGroup {
  readonly prefixes: readonly string[];
  readonly load: () => Promise<Registrar>;
  /** The group's routes, once loaded: a router of their own. */
  router?: Promise<Router>;
}

/** A set of routes that builds an Express router and documents itself. */
export class Api {
  readonly #routes: RouteSpec[] = [];

  readonly #deferred: DeferredGroup[] = [];

  /** Requests gates() has let through, so a deferred route does not gate them twice. */
  readonly #gatePassed = new WeakSet<Request>();

  readonly #check: ResponseCheck | undefined;

  /** `checkResponses` validates every answer and event against its schema (tests turn it on). */
  constructor(options: { checkResponses?: boolean; log?: Logger } = {}) {
    this.#check = options.checkResponses ? new ResponseCheck(options.log) : undefined;
  }

  /** Registers the handler of a contract. */
  route<const C extends Contract>(contract: C, options: RouteOptions<C>): void {
    this.#routes.push({ ...contract, ...options } as unknown as RouteSpec);
  }

  /**
   * Routes served by code that loads on the first request under one of `prefixes` (a path, or a
   * path followed by `/…`) that no route registered at start answers: `load` resolves to what
   * registers their handlers. Until then the server holds neither their code nor their contracts
   * (their zod schemas are most of a contract's cost); a request waits for the load, then takes
   * the route's whole way (body limit, validation, rate limit, turn gate, handler), or on to a 404.
   * A path under prefixes of several groups belongs to the longest; a group that registers a
   * route it does not own is refused.
   */
  defer(prefixes: readonly string[], load: () => Promise<Registrar>): void {
    const odd = prefixes.filter((p) => !/^(\/[\w.-]+)+$/.test(p));
    if (odd.length > 0) throw new Error(`A deferred prefix is a plain path like /api/x: ${odd.join(', ')}`);
    this.#deferred.push({ prefixes, load });
  }

  /** Loads every deferred group (the OpenAPI document describes them all). */
  async loadAll(): Promise<void> {
    await Promise.all(this.#deferred.map((group) => this.#loaded(group)));
  }

  /** Every registered route, in registration order (deferred ones once loaded: see loadAll). */
  get routes(): readonly RouteSpec[] {
    return this.#routes;
  }

  /**
   * Middleware to mount before everything else: a request for a route with a `turnGate` waits
   * there first, so even the work done on it before its handler is spread over turns. Routes are
   * matched by exact path, so a gate belongs on a route without path parameters.
   */
  gates(): RequestHandler {
    return (req, _res, next) => {
      const route = this.#gated(req);
      if (!route) return next();
      this.#gatePassed.add(req);
      void route.turnGate!.pass().then(() => next());
    };
  }

  /** An Express router serving every registered route, and the deferred ones. */
  router(): Router {
    const router = this.#router(this.#routes);
    // What no route registered at start answered: the group that owns the path loads, then serves it
    // or passes it on to the 404. A gated route's gate is passed here when gates() had no route to match yet.
    router.use((req, res, next) => {
      const group = this.#owner(req.path);
      if (!group) return next();
      this.#loaded(group)
        .then(async (loaded) => {
          if (!this.#gatePassed.has(req)) await this.#gated(req)?.turnGate!.pass();
          loaded(req, res, next);
        })
        .catch(next);
    });
    return router;
  }

  /** The deferred group a path belongs to: the one with the longest prefix it is under. */
  #owner(path: string): DeferredGroup | undefined {
    let owner: DeferredGroup | undefined;
    let length = -1;
    for (const group of this.#deferred) {
      for (const prefix of group.prefixes) {
        if ((path === prefix || path.startsWith(`${prefix}/`)) && prefix.length > length) [owner, length] = [group, prefix.length];
      }
    }
    return owner;
  }

  #gated(req: Request): RouteSpec | undefined {
    return this.#routes.find((r) => r.turnGate && r.method === req.method.toLowerCase() && r.path === req.path);
  }

  /** Loads a deferred group once and registers its handlers; refuses a registrar that serves a route the group does not own. */
  #loaded(group: DeferredGroup): Promise<Router> {
    group.router ??= group.load().then((register) => {
      const first = this.#routes.length;
      try {
        register(this);
        const stray = this.#routes.slice(first).filter((r) => this.#owner(r.path) !== group);
        if (stray.length > 0) throw new Error(`A deferred group registered routes outside its prefixes (${group.prefixes.join(', ')}): ${stray.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      } catch (err) {
        this.#routes.splice(first); // none of a refused group's routes stay in the table
        throw err;
      }
      return this.#router(this.#routes.slice(first));
    });
    return group.router;
  }

  #router(routes: readonly RouteSpec[]): Router {
    // Case-sensitive like the security guard's path checks: /API/x must not reach /api/x.
    const router = Router({ caseSensitive: true, strict: false });
    for (const spec of routes) {
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
          const check = this.#check;
          const sse = () => new SseWriter(res, check && ((event: unknown) => check.event(spec, event)));
          const result = await spec.handler({ body, query, params, req, res, sse } as never);
          if (check && !res.headersSent) check.answer(spec, result);
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

