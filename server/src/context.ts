import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { ConfigStore } from './config/store.js';
import type { Api } from './http/api.js';
import type { WsRoutes } from './http/websocket.js';
import type { Lifecycle } from './lifecycle.js';
import type { Migration } from './db/database.js';
import type { AtelierPaths } from './paths.js';
import type { Services } from './services.js';

/** What every capability receives: shared state, nothing HTTP-specific. */
export interface AppContext {
  name: string;
  version: string;
  author: string;
  paths: AtelierPaths;
  /** Root of the checkout (data files such as themes/ and skills/ live here). */
  rootDir: string;
  log: Logger;
  config: ConfigStore;
  db: Database.Database;
  lifecycle: Lifecycle;
  /** `Date.now()` when the server started. */
  startedAt: number;
  /** Scan the CLI tools in the background once listening (off in most tests: ~50 process spawns). */
  scanToolsAtStart: boolean;
}

/** What a capability's `register` is handed. */
export interface CapabilityTarget {
  api: Api;
  ws: WsRoutes;
  ctx: AppContext;
  services: Services;
}

/**
 * A capability is one folder under server/src: it contributes migrations, HTTP routes and
 * WebSocket routes. app.ts lists capabilities (capabilities.ts) and calls `register`; nothing else.
 */
export interface Capability {
  name: string;
  migrations?: readonly Migration[];
  register(target: CapabilityTarget): void;
}

/**
 * Registered when the server starts: a capability with WebSocket routes or start-up work. It
 * uses no shared service: those load with the first lazy capability.
 */
export interface StartCapability {
  name: string;
  migrations?: readonly Migration[];
  register(target: Omit<CapabilityTarget, 'services'>): void;
}

/**
 * A capability whose code loads with the first request under one of its path prefixes
 * (`Api.defer`): until then the server holds its migrations (applied at start), not its routes.
 */
export interface LazyCapability {
  name: string;
  migrations: readonly Migration[];
  prefixes: readonly string[];
  load(): Promise<Capability>;
}
