import express, { type RequestHandler } from 'express';

/**
 * The built studio. Hashed assets are cached forever; index.html is revalidated so a new
 * build shows up on reload. The shell holds no data: it asks the API, which asks for the token.
 */
export function staticShell(dir: string): RequestHandler {
  return express.static(dir, {
    index: 'index.html',
    fallthrough: true,
    setHeaders(res, path) {
      if (/[/\\]assets[/\\]/.test(path)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      else res.setHeader('Cache-Control', 'no-cache');
    },
  });
}
