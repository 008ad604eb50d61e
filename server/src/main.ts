#!/usr/bin/env node
/** The CLI: flags and environment → start → print the URL → open the browser → shut down on signals. */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ConfigCorruptError } from './config/store.js';
import { DEFAULT_PORT } from './limits.js';
import { startAtelier, StartError } from './server.js';

const USAGE = `Usage: npm start -- [options]

  --port N        port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)   env ATELIER_PORT
  --host H        address to bind (default 127.0.0.1)
  --allow-remote  allow a non-loopback --host (Atelier runs commands: think twice)
  --home DIR      keep config, database and installs in DIR                env ATELIER_HOME
  --no-open       do not open the browser
  --help          show this help
  env ATELIER_TOKEN sets the access token (default: a new random one per launch)`;

function fail(message: string, code = 2): never {
  process.stderr.write(`atelier: ${message}\n`);
  process.exit(code);
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port ${JSON.stringify(raw)}: expected 0..65535`);
  return port;
}

function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => undefined); // no opener installed: the printed URL is enough
  child.unref();
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        home: { type: 'string' },
        'no-open': { type: 'boolean', default: false },
        'allow-remote': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const token = process.env.ATELIER_TOKEN || undefined;
  if (token !== undefined && token.length < 16) fail('ATELIER_TOKEN must be at least 16 characters');

  let atelier;
  try {
    atelier = await startAtelier({
      port: parsePort(values.port ?? process.env.ATELIER_PORT),
      host: values.host,
      home: values.home ?? (process.env.ATELIER_HOME || undefined),
      token,
      allowRemote: values['allow-remote'],
    });
  } catch (err) {
    if (err instanceof StartError || err instanceof ConfigCorruptError) fail(err.message, 1);
    throw err;
  }
  if (atelier.recovery) {
    const r = atelier.recovery;
    process.stderr.write(`atelier: ${r.corruptFile} was unreadable (${r.reason}); moved it to ${r.movedTo} and restored generation ${r.fromGeneration}\n`);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1); // a second Ctrl+C means now
    stopping = true;
    process.stderr.write(`atelier: ${signal}, shutting down\n`);
    atelier.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`atelier: shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // Handlers first: whoever reads the URL may signal us at once.
  const signInUrl = `${atelier.url}/?token=${encodeURIComponent(atelier.token)}`;
  process.stdout.write(`Atelier ${atelier.version} is ready: ${signInUrl}\n`);
  if (!values['no-open']) openBrowser(signInUrl);
}

await main();
