import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '../http/errors.js';
import { hasBody } from '../http/request.js';
import { isLocalOrigin, splitHost } from './hosts.js';
import { cookieName, readBearer, readCookie, tokenMatches } from './token.js';

/**
 * Paths reachable without the token (SPEC §4). Everything outside /api/ is the static
 * studio shell, which holds no data and asks for the token itself.
 */
export const PUBLIC_API_PATHS: ReadonlySet<string> = new Set(['/api/health', '/healthz', '/api/auth/session']);

/** Methods that change state and so must carry a JSON body type (a cross-site "simple" request never does). */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface GuardOptions {
  /** The per-launch token. */
  token: string;
  /** The bound port, read lazily because `--port 0` learns it only after listen. */
  port: () => number;
  /** Hostnames allowed in Host (and in Origin beyond the seed's loopback rule). */
  hostnames: ReadonlySet<string>;
}

/** Host allow-list: defeats DNS rebinding. */
function checkHost(req: IncomingMessage, opts: GuardOptions): AppError | undefined {
  const host = req.headers.host === undefined ? undefined : splitHost(req.headers.host);
  const port = opts.port();
  const portOk = host !== undefined && (host.port ?? 80) === port;
  if (!host || !portOk || !opts.hostnames.has(host.hostname)) {
    return new AppError(403, 'BAD_HOST', `Host header ${JSON.stringify(req.headers.host ?? '')} is not allowed`);
  }
  return undefined;
}

/** True when the browser's Origin may talk to us: the seed's loopback rule, or an allowed host on our port. */
function originAllowed(origin: string, opts: GuardOptions): boolean {
  if (isLocalOrigin(origin)) return true;
  const match = origin.match(/^https?:\/\/(.+)$/i);
  const host = match ? splitHost(match[1]!) : undefined;
  return host !== undefined && host.port === opts.port() && opts.hostnames.has(host.hostname);
}

/** Origin allow-list: defeats cross-site requests and WebSocket hijacking. */
function checkOrigin(req: IncomingMessage, opts: GuardOptions): AppError | undefined {
  const origin = req.headers.origin;
  if (origin === undefined || originAllowed(origin, opts)) return undefined;
  return new AppError(403, 'BAD_ORIGIN', `Origin ${JSON.stringify(origin)} is not allowed`);
}

/** The token from the Bearer header, the session cookie, or (WebSocket upgrades only) `?token=`. */
function presentedToken(req: IncomingMessage, opts: GuardOptions, allowQuery: boolean): string | undefined {
  const bearer = readBearer(req.headers.authorization);
  if (bearer !== undefined) return bearer;
  const cookie = readCookie(req.headers.cookie, cookieName(opts.port()));
  if (cookie !== undefined) return cookie;
  if (!allowQuery) return undefined;
  return new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? undefined;
}

/** True when the request carries the launch token. */
export function isAuthenticated(req: IncomingMessage, opts: GuardOptions, allowQuery = false): boolean {
  return tokenMatches(presentedToken(req, opts, allowQuery), opts.token);
}

function checkAuth(req: IncomingMessage, opts: GuardOptions, allowQuery: boolean): AppError | undefined {
  if (isAuthenticated(req, opts, allowQuery)) return undefined;
  return new AppError(401, 'UNAUTHORIZED', 'Missing or wrong token: open the URL Atelier printed at start');
}

/** State-changing requests must be JSON; a body-less DELETE cannot be sent cross-site without preflight. */
function checkContentType(req: IncomingMessage): AppError | undefined {
  const method = req.method ?? 'GET';
  if (!STATE_CHANGING.has(method)) return undefined;
  if (method === 'DELETE' && !hasBody(req)) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return undefined;
  return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `${method} requests must be application/json (got ${JSON.stringify(type || 'none')})`);
}

/** Adds the seed's CORS headers: echo an allowed origin, always `Vary: Origin`. */
function corsHeaders(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Vary', 'Origin');
  const origin = req.headers.origin;
  if (origin !== undefined) res.setHeader('Access-Control-Allow-Origin', origin);
}

/** HTTP middleware: Host → Origin (+CORS, preflight) → content type → token. */
export function httpGuard(opts: GuardOptions): RequestHandler {
  return (req, res, next) => {
    const early = checkHost(req, opts) ?? checkOrigin(req, opts);
    if (early) return next(early);
    corsHeaders(req, res);
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    // Lower-cased so no spelling of /api escapes the check (routing is case-sensitive too).
    const path = req.path.toLowerCase();
    const needsToken = path.startsWith('/api') && !PUBLIC_API_PATHS.has(req.path);
    next(checkContentType(req) ?? (needsToken ? checkAuth(req, opts, false) : undefined));
  };
}

/** The same checks for a WebSocket upgrade, where `?token=` is also accepted (browsers cannot set headers on WS). */
export function upgradeGuard(req: IncomingMessage, opts: GuardOptions): AppError | undefined {
  return checkHost(req, opts) ?? checkOrigin(req, opts) ?? checkAuth(req, opts, true);
}
