// Terminal benchmarks, all peers in one run on the same data:
//   throughput: `cat` of a 41 MB base64 file through (a) node-pty read directly (the floor),
//   (b) Atelier (server process + WebSocket client acking like the studio), (c) wetty@3;
//   echo: keystroke → echoed byte round trip, p50/p99 over 200 keystrokes, each peer;
//   memory: Atelier server RSS growth while a client stalls (never acks) under bulk output.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pty from 'node-pty';
import WebSocket from 'ws';
import { io } from 'socket.io-client';
import { startAtelier } from './atelier-process.mjs';
import { percentile, round } from './stats.mjs';

const PAYLOAD_RAW_BYTES = 30 * 1024 * 1024; // → ~41 MB of base64 text
const KEYSTROKES = 200;
const STALL_MS = 5000;
/** Each peer runs this many times, interleaved; medians are reported (this 2-core box is noisy). */
const ROUNDS = 3;
// Built by the shell so the typed command line (which contains `__END""__`) does not match.
const MARK = '__END__';
const DONE_CMD = `; echo __END""__\r`;

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function makePayload(dir) {
  const file = join(dir, 'payload.b64');
  writeFileSync(file, randomBytes(PAYLOAD_RAW_BYTES).toString('base64').replace(/(.{76})/g, '$1\n'));
  return file;
}

/** Watches a stream of output chunks for the end marker without rescanning everything. */
function markerWatcher(onDone) {
  let tail = '';
  let bytes = 0;
  return (chunk) => {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    tail = (tail + text).slice(-64);
    if (tail.includes(MARK)) onDone(bytes);
  };
}

/** Sends keystrokes one at a time and times each echo. `send(ch)`; `onEcho(cb)` registers the output listener. */
async function echoLatency(send, subscribe) {
  const samples = [];
  let waiting = null;
  subscribe((chunk) => {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    if (waiting && text.includes(waiting.ch)) {
      const w = waiting;
      waiting = null;
      w.resolve();
    }
  });
  for (let i = 0; i < KEYSTROKES + 20; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    const t = process.hrtime.bigint();
    await new Promise((resolve) => {
      waiting = { ch, resolve };
      send(ch);
    });
    if (i >= 20) samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  send('\x15'); // Ctrl+U: clear the typed line
  return { p50: round(percentile(samples, 50), 3), p99: round(percentile(samples, 99), 3) };
}

// ─── raw node-pty ───────────────────────────────────────────────────────────────────────
async function rawPty(file) {
  const term = pty.spawn('/bin/bash', ['--norc', '--noprofile'], { cols: 120, rows: 40, cwd: tmpdir(), env: { ...process.env, TERM: 'xterm-256color', PS1: '$ ' }, encoding: null });
  const listeners = new Set();
  term.onData((d) => listeners.forEach((l) => l(d)));
  await new Promise((r) => setTimeout(r, 300));
  const echo = await echoLatency((ch) => term.write(ch), (l) => listeners.add(l));
  listeners.clear();
  const start = process.hrtime.bigint();
  const bytes = await new Promise((resolve) => {
    listeners.add(markerWatcher(resolve));
    term.write(`cat ${file}${DONE_CMD}`);
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  term.kill();
  return { mb_per_s: round(bytes / 1e6 / seconds), echo };
}

// ─── Atelier ────────────────────────────────────────────────────────────────────────────

function rssMb(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return Number(m[1]) / 1024;
}

function atelierSocket(origin, token, { ack }) {
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/api/ws/terminal?token=${token}`, { perMessageDeflate: false });
  const listeners = new Set();
  ws.binaryType = 'nodebuffer';
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    if (ack) ws.send(JSON.stringify({ type: 'ack', data: data.length }));
    listeners.forEach((l) => l(data));
  });
  const ready = new Promise((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'init', data: { kind: 'local', shell: '/bin/bash', cols: 120, rows: 40 } })));
    ws.on('message', (data, isBinary) => {
      if (!isBinary && JSON.parse(data).type === 'ready') resolve();
    });
    ws.on('error', reject);
  });
  return { ws, listeners, ready, input: (text) => ws.send(JSON.stringify({ type: 'input', data: text })) };
}

async function atelier(file, home, { stall }) {
  const server = await startAtelier(home);
  // The start-up tool scan spawns ~50 processes: let it finish before measuring.
  await fetch(`${server.origin}/api/scan`, { headers: { authorization: `Bearer ${server.token}` } });
  const term = atelierSocket(server.origin, server.token, { ack: true });
  await term.ready;
  await new Promise((r) => setTimeout(r, 500));
  const echo = await echoLatency(term.input, (l) => term.listeners.add(l));
  term.listeners.clear();
  const start = process.hrtime.bigint();
  const bytes = await new Promise((resolve) => {
    term.listeners.add(markerWatcher(resolve));
    term.input(`cat ${file}${DONE_CMD}`);
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  term.ws.close();
  if (!stall) {
    await server.stop();
    return { mb_per_s: round(bytes / 1e6 / seconds), echo };
  }

  // Stalled client: never acks while the shell keeps writing.
  const rssBefore = rssMb(server.child.pid);
  const stalled = atelierSocket(server.origin, server.token, { ack: false });
  await stalled.ready;
  stalled.input(`while :; do cat ${file}; done\r`);
  let peak = rssBefore;
  const end = Date.now() + STALL_MS;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    peak = Math.max(peak, rssMb(server.child.pid));
  }
  stalled.ws.close();
  await server.stop();
  return { mb_per_s: round(bytes / 1e6 / seconds), echo, stalled_rss_growth_mb: round(peak - rssBefore, 1) };
}

// ─── wetty ──────────────────────────────────────────────────────────────────────────────
async function wetty(file) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(process.cwd(), 'node_modules', 'wetty', 'build', 'main.js'), '--host', '127.0.0.1', '-p', String(port), '--command', 'bash --norc --noprofile'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PS1: '$ ' },
  });
  let log = '';
  child.stdout.on('data', (c) => (log += c));
  child.stderr.on('data', (c) => (log += c));
  const stop = () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM')));
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const socket = io(`http://127.0.0.1:${port}`, { path: '/socket.io', transports: ['websocket'] });
    const listeners = new Set();
    let pending = 0;
    socket.on('data', (data) => {
      // wetty's own client commits what it wrote into xterm; do the same per chunk.
      pending += data.length;
      if (pending > 32 * 1024) {
        socket.emit('commit', pending);
        pending = 0;
      }
      listeners.forEach((l) => l(data));
    });
    await new Promise((resolve, reject) => {
      socket.on('login', resolve);
      socket.on('connect_error', reject);
      setTimeout(() => reject(new Error(`wetty did not log in: ${log.slice(-500)}`)), 10_000);
    });
    socket.emit('resize', { cols: 120, rows: 40 });
    await new Promise((r) => setTimeout(r, 500));
    const echo = await echoLatency((ch) => socket.emit('input', ch), (l) => listeners.add(l));
    listeners.clear();
    const start = process.hrtime.bigint();
    const bytes = await new Promise((resolve) => {
      listeners.add(markerWatcher(resolve));
      socket.emit('input', `cat ${file}${DONE_CMD}`);
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    socket.close();
    return { mb_per_s: round(bytes / 1e6 / seconds), echo };
  } catch (err) {
    return { error: `wetty could not be measured: ${err.message}` };
  } finally {
    await stop();
  }
}

function median(values) {
  return round(percentile(values, 50));
}

/** Median throughput and echo of several runs of one peer. */
function summarize(runs) {
  const ok = runs.filter((r) => !r.error);
  if (ok.length === 0) return runs[0];
  return {
    mb_per_s: median(ok.map((r) => r.mb_per_s)),
    runs_mb_per_s: ok.map((r) => r.mb_per_s),
    echo: { p50: median(ok.map((r) => r.echo.p50)), p99: median(ok.map((r) => r.echo.p99)) },
  };
}

/** Runs the terminal benchmarks and prints them. */
export async function benchTerminal() {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-term-'));
  try {
    const file = makePayload(dir);
    const runs = { raw: [], atelier: [], wetty: [] };
    let stalledGrowth = null;
    for (let round = 0; round < ROUNDS; round++) {
      runs.raw.push(await rawPty(file));
      const last = round === ROUNDS - 1;
      const at = await atelier(file, join(dir, `home-${round}`), { stall: last });
      if (last) stalledGrowth = at.stalled_rss_growth_mb;
      runs.atelier.push(at);
      runs.wetty.push(await wetty(file));
    }
    const raw = summarize(runs.raw);
    const at = summarize(runs.atelier);
    const we = summarize(runs.wetty);
    const result = {
      payload_mb: round((PAYLOAD_RAW_BYTES * 4) / 3 / 1e6, 1),
      rounds: ROUNDS,
      raw_node_pty: raw,
      atelier: { ...at, stalled_rss_growth_mb: stalledGrowth, throughput_vs_raw: round(at.mb_per_s / raw.mb_per_s), throughput_vs_wetty: we.mb_per_s ? round(at.mb_per_s / we.mb_per_s) : null },
      wetty: we,
    };
    console.log(`terminal: cat of ${result.payload_mb} MB base64 and ${KEYSTROKES} keystrokes, median of ${ROUNDS} interleaved rounds`);
    const row = (r) => (r.error ? { 'MB/s': r.error } : { 'MB/s': r.mb_per_s, runs: r.runs_mb_per_s.join(' / '), 'echo p50 ms': r.echo.p50, 'echo p99 ms': r.echo.p99 });
    console.table({ 'raw node-pty': row(raw), atelier: row(at), wetty: row(we) });
    console.log(`terminal: atelier/raw ${result.atelier.throughput_vs_raw}×, atelier/wetty ${result.atelier.throughput_vs_wetty}×, stalled-client RSS growth ${stalledGrowth} MB over ${STALL_MS / 1000} s`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
