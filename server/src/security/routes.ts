import type { RequestHandler, Response } from 'express';
import type { StartCapability } from '../context.js';
import { AppError } from '../http/errors.js';
import { SESSION_COOKIE_MAX_AGE_S } from '../limits.js';
import { securityRoutes } from '../wire/routes/security.js';
import type { GuardOptions } from './guard.js';
import { cookieName, tokenMatches } from './token.js';

function setSessionCookie(res: Response, opts: GuardOptions): void {
  res.cookie(cookieName(opts.port()), opts.token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: SESSION_COOKIE_MAX_AGE_S * 1000,
  });
}

/**
 * `GET /?token=…`: the URL printed at start. A right token becomes the session cookie and the
 * browser is sent to `/` so the token leaves the address bar and history; a wrong one lands on
 * the sign-in screen.
 */
export function signInFromQuery(opts: GuardOptions): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' || req.path !== '/' || typeof req.query.token !== 'string') return next();
    res.setHeader('Cache-Control', 'no-store');
    if (!tokenMatches(req.query.token, opts.token)) return res.redirect(302, '/#/signin/failed');
    setSessionCookie(res, opts);
    res.redirect(302, '/');
  };
}

/** `POST /api/auth/session {token}`: the studio's sign-in form; public, and the only public write. */
export function authCapability(opts: GuardOptions): StartCapability {
  return {
    name: 'auth',
    register({ api }) {
      api.route(securityRoutes.signIn, {
        tag: 'auth',
        summary: 'Exchange the launch token for the session cookie',
        handler: ({ body, res }) => {
          if (!tokenMatches(body.token, opts.token)) throw new AppError(401, 'UNAUTHORIZED', 'Wrong token');
          setSessionCookie(res, opts);
          return undefined;
        },
      });
      api.route(securityRoutes.signOut, {
        tag: 'auth',
        summary: 'Sign out: forget the session cookie',
        handler: ({ res }) => {
          res.clearCookie(cookieName(opts.port()), { path: '/', httpOnly: true, sameSite: 'strict' });
          return undefined;
        },
      });
    },
  };
}
