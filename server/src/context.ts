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

/**
 * A capability is one folder under server/src: it contributes migrations, HTTP routes and
 * WebSocket routes. app.ts lists capabilities and calls `register`; nothing else.
 */
export interface Capability {
  name: string;
  migrations?: readonly Migration[];
  register(target: { api: Api; ws: WsRoutes; ctx: AppContext; services: Services }): void;
}
