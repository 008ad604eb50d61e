/** `atelier doctor`: each thing Atelier needs, checked for real, with what to do when it fails. */
import { accessSync, constants, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DOCTOR_PROBE_TIMEOUT_MS } from '../limits.js';
import { releaseStatus } from '../memory/release.js';
import { resolvePaths } from '../paths.js';
import type { CommonOptions } from './args.js';
import { findOpener, hasDisplay, openerName } from './browser.js';
import { PACKAGE_ROOT, readPackageInfo } from './package-info.js';
import { readRuntime, RuntimeFileError, runtimeFilePath } from './runtime.js';

/** One check's verdict: only FAIL makes doctor exit non-zero. */
export interface CheckResult {
  status: 'ok' | 'warn' | 'FAIL';
  name: string;
  /** What was found, and on warn/FAIL what to do about it. */
  detail: string;
}

type Check = (options: CommonOptions) => Promise<CheckResult> | CheckResult;

const ok = (name: string, detail: string): CheckResult => ({ status: 'ok', name, detail });
const warn = (name: string, detail: string): CheckResult => ({ status: 'warn', name, detail });
const fail = (name: string, detail: string): CheckResult => ({ status: 'FAIL', name, detail });

/** Rejects after DOCTOR_PROBE_TIMEOUT_MS: a native module that hangs fails its check. */
function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${DOCTOR_PROBE_TIMEOUT_MS} ms`)), DOCTOR_PROBE_TIMEOUT_MS)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const rebuild = (module: string): string =>
  `reinstall Atelier, or run \`npm rebuild ${module}\` in ${PACKAGE_ROOT}, so its native binary matches Node ${process.versions.node} (ABI ${process.versions.modules})`;

/** ">=20.19" → satisfied by the running Node? Only the >= form package.json uses is understood. */
function satisfiesMinimum(range: string, version: string): boolean | null {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!m) return null;
  const want = [m[1], m[2], m[3]].map((n) => Number(n ?? 0));
  const have = version.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i]!;
  return true;
}

const checkNode: Check = () => {
  const range = readPackageInfo().engines?.node ?? '>=0';
  const verdict = satisfiesMinimum(range, process.versions.node);
  if (verdict === false) return fail('node', `Node ${process.versions.node} is older than ${range}: install Node ${range.replace('>=', '')} or newer (nodejs.org, nvm, fnm)`);
  return ok('node', `Node ${process.versions.node} (${process.execPath}) satisfies ${range}${verdict === null ? ' (range not checked)' : ''}`);
};

const checkPty: Check = async () => {
  try {
    const pty = await import('node-pty');
    const marker = 'atelier-doctor-pty';
    const [shell, args] = process.platform === 'win32' ? [process.env.ComSpec ?? 'cmd.exe', ['/c', `echo ${marker}`]] : ['/bin/sh', ['-c', `echo ${marker}`]];
    const term = pty.spawn(shell, args, { cols: 80, rows: 24, cwd: process.cwd(), env: process.env as Record<string, string> });
    let output = '';
    await withTimeout(
      'the shell',
      new Promise<void>((resolve, reject) => {
        term.onData((data) => {
          output += data;
          if (output.includes(marker)) resolve();
        });
        term.onExit(({ exitCode }) => (output.includes(marker) ? resolve() : reject(new Error(`${shell} exited with code ${exitCode} without output`))));
      }),
    ).finally(() => {
      try {
        term.kill();
      } catch {
        // already gone
      }
    });
    return ok('node-pty', `spawned ${shell} in a pseudo-terminal and read its output`);
  } catch (err) {
    return fail('node-pty', `${(err as Error).message.split('\n')[0]}: terminals will not work; ${rebuild('node-pty')}`);
  }
};

const checkSqlite: Check = async () => {
  try {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(':memory:');
    try {
      db.exec('CREATE VIRTUAL TABLE t USING fts5(x)');
      db.prepare('INSERT INTO t (x) VALUES (?)').run('atelier doctor');
      const hit = db.prepare("SELECT x FROM t WHERE t MATCH 'doctor'").get();
      if (!hit) throw new Error('FTS5 found nothing');
    } finally {
      db.close();
    }
    return ok('better-sqlite3', 'opened an in-memory database with FTS5');
  } catch (err) {
    return fail('better-sqlite3', `${(err as Error).message.split('\n')[0]}: Atelier cannot keep its database; ${rebuild('better-sqlite3')}`);
  }
};

const checkSsh2: Check = async () => {
  try {
    const ssh2 = (await import('ssh2')).default;
    if (typeof ssh2.Client !== 'function') throw new Error('ssh2 has no Client');
    return ok('ssh2', 'loaded');
  } catch (err) {
    return fail('ssh2', `${(err as Error).message.split('\n')[0]}: SSH terminals will not work; reinstall Atelier (npm install in ${PACKAGE_ROOT})`);
  }
};

const checkMemoryRelease: Check = () => {
  const status = releaseStatus();
  if (status.available) return ok('release-memory', 'loaded: memory freed after terminals and workers stop goes back to the system');
  // Not glibc: there is no malloc_trim to call, and nothing to fix.
  if (status.loaded) return ok('release-memory', status.why);
  return warn('release-memory', `${status.why}: Atelier works, but keeps memory it freed resident`);
};

/** The nearest existing ancestor of `dir` (where mkdir -p would start). */
function existingAncestor(dir: string): string {
  let at = dir;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

function checkDir(dir: string): CheckResult {
  const name = 'home';
  if (!existsSync(dir)) {
    const parent = existingAncestor(dir);
    try {
      if (!statSync(parent).isDirectory()) return fail(name, `${dir} cannot be created: ${parent} is a file; pick another --home or ATELIER_HOME`);
      accessSync(parent, constants.W_OK);
    } catch {
      return fail(name, `${dir} cannot be created: ${parent} is not writable; pick another --home or ATELIER_HOME`);
    }
    return ok(name, `${dir} does not exist yet; it is created (mode 0700) at first start`);
  }
  const stat = statSync(dir);
  if (!stat.isDirectory()) return fail(name, `${dir} is not a directory; remove it or pick another --home`);
  const probe = join(dir, `.doctor-${process.pid}`);
  try {
    writeFileSync(probe, '', { mode: 0o600 });
    rmSync(probe);
  } catch (err) {
    return fail(name, `${dir} is not writable (${(err as NodeJS.ErrnoException).code}): \`chmod u+w ${dir}\` or pick another --home`);
  }
  const mode = stat.mode & 0o777;
  const shown = mode.toString(8).padStart(3, '0');
  // It holds API keys and the token: the server creates it 0700 and nobody else should write in it.
  if (mode & 0o022) return fail(name, `${dir} is mode ${shown}: others can write where Atelier keeps its keys; \`chmod 700 ${dir}\``);
  if (mode & 0o055) return warn(name, `${dir} is mode ${shown}: others can list it; \`chmod 700 ${dir}\` (the files in it are 0600)`);
  return ok(name, `${dir} is writable, mode ${shown}`);
}

const checkHome: Check = (options) => {
  const paths = resolvePaths(options.home);
  const results = [...new Set([paths.configDir, paths.dataDir])].map(checkDir);
  return results.find((r) => r.status === 'FAIL') ?? results.find((r) => r.status === 'warn') ?? ok('home', results.map((r) => r.detail).join('; '));
};

function portIsFree(host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen(port, host, () => server.close(() => resolve(null)));
  });
}

/** The version /api/health reports at host:port, or null when what answers is not Atelier. */
function atelierVersionAt(host: string, port: number): Promise<string | null> {
  // node:http rather than fetch: a peer that resets the connection must settle this, not hang it.
  return new Promise((resolve) => {
    const req = httpGet({ host, port, path: '/api/health', timeout: DOCTOR_PROBE_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        try {
          const parsed = JSON.parse(body) as { status?: unknown; version?: unknown };
          resolve(res.statusCode === 200 && parsed.status === 'ok' && typeof parsed.version === 'string' ? parsed.version : null);
        } catch {
          resolve(null);
        }
      });
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

const checkPort: Check = async (options) => {
  const host = options.host ?? '127.0.0.1';
  const name = 'port';
  let runtime;
  try {
    runtime = readRuntime(runtimeFilePath(options.home));
  } catch (err) {
    if (err instanceof RuntimeFileError) return fail(name, err.message);
    throw err;
  }
  if (runtime.state === 'running') return ok(name, `Atelier ${runtime.info.version} already runs with this home (pid ${runtime.info.pid}) at ${runtime.info.url}`);
  if (options.port === 0) return ok(name, 'port 0: a free port is picked at start');
  const error = await portIsFree(host, options.port);
  if (!error) return ok(name, `${host}:${options.port} is free`);
  if (error.code !== 'EADDRINUSE') return fail(name, `cannot listen on ${host}:${options.port} (${error.code}): pick another with --port or ATELIER_PORT`);
  const version = await atelierVersionAt(host, options.port);
  if (version) return ok(name, `an Atelier instance (${version}) answers on ${host}:${options.port}, started with another home`);
  return fail(name, `${host}:${options.port} is used by another program: pick another with --port N or ATELIER_PORT (0 picks a free one)`);
};

const checkBrowser: Check = async () => {
  const opener = await findOpener();
  if (!opener) return warn('browser', `no ${openerName()} on PATH: Atelier cannot open a browser; install it (xdg-utils on Linux) or open the printed URL yourself`);
  if (!hasDisplay()) return warn('browser', `${opener} found, but neither DISPLAY nor WAYLAND_DISPLAY is set: no browser opens here; open the URL from \`atelier url\` on a machine with one (ssh -L for a remote host)`);
  return ok('browser', `${opener}`);
};

const checkStudio: Check = () => {
  const index = join(PACKAGE_ROOT, 'web', 'dist', 'index.html');
  if (existsSync(index)) return ok('studio', `built (${dirname(index)})`);
  return fail('studio', `${index} is missing: the server would answer the API only; reinstall Atelier, or \`npm run build\` in a checkout`);
};

/** The Dashboard's tool scan: a tool found but broken (its version command fails) is worth knowing about. */
const checkTools: Check = async () => {
  const { loadToolCatalog, toolCatalogPath } = await import('../system/catalog.js');
  const { scanTools } = await import('../system/scanner.js');
  const { tools } = await scanTools(loadToolCatalog(toolCatalogPath(PACKAGE_ROOT)));
  const found = tools.filter((t) => t.found);
  const broken = found.filter((t) => t.error);
  const summary = `${found.length} of ${tools.length} developer tools found`;
  if (broken.length === 0) return ok('tools', summary);
  return warn('tools', `${summary}; broken: ${broken.map((t) => `${t.name} at ${t.path} (${t.error})`).join('; ')}: reinstall them, or remove them from PATH`);
};

/** Every check, in the order they print. */
const CHECKS: readonly Check[] = [checkNode, checkPty, checkSqlite, checkSsh2, checkMemoryRelease, checkHome, checkPort, checkBrowser, checkStudio, checkTools];

/** Runs every check, prints one line each, and returns the exit code: 0 unless one failed. */
export async function doctor(options: CommonOptions): Promise<number> {
  let failed = 0;
  for (const check of CHECKS) {
    const result = await check(options);
    if (result.status === 'FAIL') failed += 1;
    process.stdout.write(`${result.status.padEnd(4)}  ${result.name.padEnd(14)}  ${result.detail}\n`);
  }
  process.stdout.write(failed ? `${failed} check${failed > 1 ? 's' : ''} failed\n` : 'All checks passed\n');
  return failed ? 1 : 0;
}
