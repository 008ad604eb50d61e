import express, { type Express } from 'express';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AppContext, Capability } from './context.js';
import { migrate } from './db/database.js';
import { metaRoutes } from './wire/routes/meta.js';
import { createServices } from './services.js';
import { Api } from './http/api.js';
import { AppError, errorMiddleware, notFound } from './http/errors.js';
import { openApiDocument } from './http/openapi.js';
import { refuseUpgrade, WsRoutes } from './http/websocket.js';
import { redactUrl } from './logger.js';
import { httpGuard, upgradeGuard, type GuardOptions } from './security/guard.js';
import { staticShell } from './http/static.js';
import { securityHeaders } from './security/headers.js';
import { authCapability, signInFromQuery } from './security/routes.js';
import { chatCapability } from './chat/routes.js';
import { configCapability } from './config/routes.js';
import { providersCapability } from './providers/routes.js';
import { systemCapability } from './system/routes.js';
import { terminalCapability } from './terminal/routes.js';
import { toolsCapability } from './tools/routes.js';
import { skillsCapability } from './skills/routes.js';
import { lspCapability } from './lsp/routes.js';
import { mcpCapability } from './mcp/routes.js';
import { workflowCapability } from './workflow/routes.js';
import { permissionsCapability } from './permissions/routes.js';

/** Every capability, in the order their migrations and routes are applied. */
function capabilities(guard: GuardOptions): readonly Capability[] {
  return [authCapability(guard), systemCapability, configCapability, providersCapability, permissionsCapability, terminalCapability, toolsCapability, chatCapability, workflowCapability, skillsCapability, lspCapability, mcpCapability];
}

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
  const services = createServices(ctx);
  for (const capability of all) capability.register({ api, ws, services, ctx: { ...ctx, log: ctx.log.child({ capability: capability.name }) } });
  // Built on first request: converting every schema costs ~50 ms a start should not pay.
  let openapi: ReturnType<typeof openApiDocument> | undefined;
  api.route(metaRoutes.openapi, { tag: 'meta', summary: 'This document', handler: () => (openapi ??= openApiDocument(api, { title: 'Atelier', version: ctx.version })) });

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
