import express, { type Express } from 'express';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AppContext } from './context.js';
import { migrate } from './db/database.js';
import { metaRoutes } from './wire/routes/meta.js';
import type { Services } from './services.js';
import { Api } from './http/api.js';
import { AppError, errorMiddleware, notFound } from './http/errors.js';
import { openApiDocument } from './http/openapi.js';
import { refuseUpgrade, WsRoutes } from './http/websocket.js';
import { redactUrl } from './logger.js';
import { httpGuard, upgradeGuard, type GuardOptions } from './security/guard.js';
import { staticShell } from './http/static.js';
import { securityHeaders } from './security/headers.js';
import { signInFromQuery } from './security/routes.js';
import { capabilities } from './capabilities.js';

/** The assembled application: an Express app plus the handler for WebSocket upgrades. */
export interface AtelierApp {
  app: Express;
  api: Api;
  onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  ws: WsRoutes;
}

/** Assembles middleware, capabilities and the static studio; holds no logic of its own. */
export function createApp(ctx: AppContext, guard: GuardOptions, staticDir: string | undefined): AtelierApp {
  const all = capabilities(guard);
  migrate(ctx.db, all.flatMap((c) => c.migrations ?? []));

  // Tests hold every answer to its schema (http/response-check.ts).
  const api = new Api({ checkResponses: process.env.ATELIER_CHECK_RESPONSES === '1', log: ctx.log });
  const ws = new WsRoutes();
  // The shared services load with the first lazy capability that needs them (they are most of its code).
  let services: Promise<Services> | undefined;
  const loadServices = (): Promise<Services> => (services ??= import('./services.js').then((m) => m.createServices(ctx)));
  const target = (name: string) => ({ api, ws, ctx: { ...ctx, log: ctx.log.child({ capability: name }) } });
  for (const capability of all) {
    if (!('load' in capability)) {
      capability.register(target(capability.name));
      continue;
    }
    api.defer(capability.prefixes, async () => {
      const [loaded, shared] = await Promise.all([capability.load(), loadServices()]);
      return (routes) => loaded.register({ ...target(capability.name), api: routes, services: shared });
    });
  }
  // Built on first request: converting every schema costs ~50 ms a start should not pay.
  let openapi: ReturnType<typeof openApiDocument> | undefined;
  api.route(metaRoutes.openapi, {
    tag: 'meta',
    summary: 'This document',
    handler: async () => {
      await api.loadAll(); // its summaries and tags come with each capability's code
      return (openapi ??= openApiDocument(api, { title: 'Atelier', version: ctx.version }));
    },
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('case sensitive routing', true);
  app.set('query parser', 'simple');
  app.use(api.gates());
  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      ctx.log.debug({ method: req.method, url: redactUrl(req.originalUrl), status: res.statusCode, ms }, 'request');
    });
    next();
  });
  app.use(securityHeaders);
  app.use(httpGuard(guard));
  app.use(api.router());
  app.use('/api', notFound);
  app.use(signInFromQuery(guard));
  if (staticDir) app.use(staticShell(staticDir));
  app.use(notFound);
  app.use(errorMiddleware(ctx.log));

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const denied = upgradeGuard(req, guard);
    if (denied) {
      ctx.log.warn({ url: redactUrl(req.url ?? ''), code: denied.code }, 'websocket upgrade refused');
      return refuseUpgrade(socket, denied);
    }
    const handler = ws.handlerFor(req);
    if (!handler) return refuseUpgrade(socket, new AppError(404, 'NOT_FOUND', 'No WebSocket route at this path'));
    ws.accept(req, socket, head, handler);
  };
  return { app, api, onUpgrade, ws };
}
