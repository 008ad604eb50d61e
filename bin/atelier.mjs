#!/usr/bin/env node
// `atelier` as installed (npx, npm install -g, node_modules/.bin): runs the compiled server and
// never builds, since an install has no TypeScript or Vite. A checkout builds with `npm start`.
import { existsSync } from 'node:fs';

const SERVER = new URL('../server/dist/main.js', import.meta.url);
const STUDIO = new URL('../web/dist/index.html', import.meta.url);

/** True when this run starts a server (no subcommand, not --help/--version): only then does a missing studio matter. */
function startsServer(args) {
  const first = args[0];
  if (first !== undefined && !first.startsWith('-')) return false;
  return !args.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-v');
}

if (!existsSync(SERVER)) {
  process.stderr.write('atelier: the compiled server is missing (server/dist/main.js); from a checkout run `npm start`, which builds it\n');
  process.exit(1);
}
if (!existsSync(STUDIO) && startsServer(process.argv.slice(2))) {
  process.stderr.write('atelier: the built studio is missing (web/dist/index.html): serving the API only; from a checkout run `npm start`, which builds it\n');
}
await import(SERVER.href);
