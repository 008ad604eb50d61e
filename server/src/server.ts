import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type Database from 'better-sqlite3';
import { createApp } from './app.js';
import { ConfigStore, type ConfigRecovery } from './config/store.js';
import type { AppContext } from './context.js';
import { Checkpointer } from './db/checkpointer.js';
import { openDatabase } from './db/database.js';
import { Lifecycle } from './lifecycle.js';
import { releaseStatus } from './memory/release.js';
import { createLogger } from './logger.js';
import { resolvePaths, type AtelierPaths } from './paths.js';
import { allowedHostnames, isLoopbackAddress } from './security/hosts.js';
import { generateToken } from './security/token.js';
import { DB_CHECKPOINT_INTERVAL_MS, DEFAULT_PORT } from './limits.js';

/** The checkout root: server/src/ (tsx, vitest) and server/dist/ (compiled) are both two levels down. */
export const ROOT_DIR = fileURLToPath(new URL('../../', import.meta.url));

export interface StartOptions {
  host?: string;
  port?: number;
  /** ATELIER_HOME: all state in this folder; default the platform's config/data dirs. */
  home?: string;
  /** The launch token; a random one when absent. */
  token?: string;
  /** Required to bind a non-loopback host. */
  allowRemote?: boolean;
  /** The built studio; default web/dist when it exists; null serves the API only. */
  staticDir?: string | null;
  /** Default true: rescan CLI tools in the background after start. */
  scanToolsAtStart?: boolean;
  log?: Logger;
}

/** A running server. */
export interface RunningAtelier {
  /** Base URL, e.g. http://127.0.0.1:7878 */
  url: string;
  port: number;
  token: string;
  paths: AtelierPaths;
  version: string;
  /** Set when a corrupt config.json was set aside at start. */
  recovery: ConfigRecovery | undefined;
  /** Stops accepting, kills children, closes sockets and the database. */
  close(): Promise<void>;
}

/** Refused at start: a wrong flag or environment, reported to the user as is. */
export class StartError extends Error {
  override name = 'StartError';
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(err.code === 'EADDRINUSE' ? new StartError(`Port ${port} on ${host} is already in use; pick another with --port (0 picks a free one)`) : err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Starts Atelier: state, capabilities, HTTP and WebSocket on loopback (127.0.0.1, and [::1] when it exists). */
export async function startAtelier(options: StartOptions = {}): Promise<RunningAtelier> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host) && !options.allowRemote) {
    throw new StartError(`--host ${host} is not a loopback address: Atelier runs commands on this machine, so serving other hosts needs --allow-remote as well`);
  }
  const log = options.log ?? createLogger();
  const memory = releaseStatus();
  if (!memory.available && memory.loaded) log.debug({ why: memory.why }, 'memory Atelier frees stays resident');
  else if (!memory.available) log.warn({ why: memory.why }, 'memory Atelier frees stays resident');
  const pkg = JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as { name: string; version: string; author: string };
  const paths = resolvePaths(options.home);
  const token = options.token ?? generateToken();
  const lifecycle = new Lifecycle();

  const config = ConfigStore.open(paths.configDir, log);
  let db: Database.Database | undefined;
  try {
    db = openDatabase(join(paths.dataDir, 'atelier.db'));
    const openDb = db;
    const checkpointer = new Checkpointer(openDb, ROOT_DIR, DB_CHECKPOINT_INTERVAL_MS, log);
    lifecycle.onClose(async () => {
      await checkpointer.close();
      openDb.close();
    });
    let boundPort = 0;
    const guard = { token, port: () => boundPort, hostnames: allowedHostnames(host, options.allowRemote ?? false) };
    const ctx: AppContext = { name: pkg.name, version: pkg.version, author: pkg.author, paths, rootDir: ROOT_DIR, log, config, db, lifecycle, startedAt: Date.now(), scanToolsAtStart: options.scanToolsAtStart ?? true };
    const defaultStatic = join(ROOT_DIR, 'web', 'dist');
    const staticDir = options.staticDir === undefined ? (existsSync(defaultStatic) ? defaultStatic : undefined) : (options.staticDir ?? undefined);
    const { app, onUpgrade, ws } = createApp(ctx, guard, staticDir);

    const servers: Server[] = [];
    const serve = async (address: string, port: number): Promise<number> => {
      const server = createServer(app);
      server.on('upgrade', onUpgrade);
      const bound = await listen(server, port, address);
      servers.push(server);
      return bound;
    };
    boundPort = await serve(host, options.port ?? DEFAULT_PORT);
    if (host === '127.0.0.1') {
      // Browsers may resolve "localhost" to ::1; serve it too when this machine has IPv6 loopback.
      await serve('::1', boundPort).catch((err: NodeJS.ErrnoException) => log.debug({ code: err.code }, 'no IPv6 loopback'));
    }
    // Closers run last-registered first: sockets and listeners go before capabilities and the DB.
    // Upgraded sockets are not HTTP connections, so server.close() would wait on them forever.
    lifecycle.onClose(async () => {
      ws.close();
      await Promise.all(servers.map(closeServer));
    });

    const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return {
      url: `http://${urlHost}:${boundPort}`,
      port: boundPort,
      token,
      paths,
      version: pkg.version,
      recovery: config.recovery,
      close: () => lifecycle.close(),
    };
  } catch (err) {
    await lifecycle.close();
    if (db?.open) db.close();
    throw err;
  }
}
