// Starts the compiled CLI as a child on a free port, as a user would, for the benchmarks.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(process.cwd(), 'server', 'dist', 'main.js');

/**
 * Spawns `atelier --port 0 --no-open --home <home>` and resolves once it printed its URL
 * (it is listening by then) with its origin, token, auth headers, spawn-to-ready time and stop().
 * Its stderr is kept and shown only if it dies before it is ready. `command` replaces the
 * checkout's `node server/dist/main.js` (an installed package's bin, for one); `env` adds to its environment.
 */
export function startAtelier(home, { command, env = {} } = {}) {
  const started = process.hrtime.bigint();
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p" profiles the server under a benchmark.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const [file, ...args] = command ?? [process.execPath, ...nodeArgs, MAIN];
  const child = spawn(file, [...args, '--port', '0', '--no-open', '--home', home], {
    env: { ...process.env, ATELIER_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let stopping = false;
  let ready = false;
  child.stderr.on('data', (chunk) => (err += chunk));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/(http:\/\/\S+)\/\?token=(\S+)/);
      if (!m || ready) return;
      ready = true;
      const token = decodeURIComponent(m[2]);
      resolve({
        child,
        origin: m[1],
        token,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        readyMs: Number(process.hrtime.bigint() - started) / 1e6,
        stop: () => {
          stopping = true;
          return new Promise((done) => (child.exitCode !== null ? done() : (child.once('exit', done), child.kill('SIGTERM'))));
        },
      });
      // A server that dies mid-benchmark would leave its client waiting forever: end the run, loudly.
      child.once('exit', (code, signal) => {
        if (stopping) return;
        process.stderr.write(`atelier exited (${code ?? signal}) during the benchmark:\n${err.slice(-4000)}\n`);
        process.exit(1);
      });
    });
    child.on('exit', (code) => reject(new Error(`atelier exited with ${code} before it was ready: ${err}`)));
  });
}
