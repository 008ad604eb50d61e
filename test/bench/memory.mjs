// Memory of an idle Atelier and whether it comes back after terminals: the compiled CLI started
// as a user would, left alone until its start-up work is over (tool scan, checkpoint worker,
// V8's memory reducer), then 50 terminals opened, used and closed one after another, then a
// minute of quiet. Peers in the same run: a bare `node` process (the floor any Node server
// pays: its binary's pages alone are ~40 MB of RSS) and the minimal PTY-over-WebSocket server.
// Last, one request loads every lazy capability (capabilities.ts) and the RSS is read again.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startAtelier } from './atelier-process.mjs';
import { round } from './stats.mjs';

/** Start-up work settles within this: the tool scan, the checkpoint worker's 10 s idle stop, V8's memory reducer. */
const SETTLE_MS = 30_000;
const SESSIONS = 50;
/** After the last terminal closed: the mirror worker's 10 s idle stop and a major GC have happened by then. */
const AFTER_MS = 60_000;
/** After the request that loads every capability: their start-up work (the services' timers, V8's memory reducer) has run. */
const LOADED_SETTLE_MS = 15_000;
const MB = 1024 * 1024;

function rssMb(pid) {
  return Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)[1]) / 1024;
}

/** RSS by mapping: the node binary's pages, anonymous memory (V8's heap, thread stacks, malloc arenas), malloc's main heap, native addons. */
function rssParts(pid) {
  const parts = { node_binary: 0, anonymous: 0, malloc_heap: 0, native_addons: 0, other: 0 };
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = line.match(/^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/);
    if (head) {
      name = head[1];
      continue;
    }
    const rss = line.match(/^Rss:\s+(\d+) kB/);
    if (!rss) continue;
    const kb = Number(rss[1]);
    const key = name === '' ? 'anonymous' : name === '[heap]' ? 'malloc_heap' : name.endsWith('.node') ? 'native_addons' : /\/node$/.test(name) ? 'node_binary' : 'other';
    parts[key] += kb / 1024;
  }
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v, 1)]));
}

/** Opens a terminal, runs a command that prints 3000 lines, waits for them, closes the tab. */
async function useOneTerminal(origin, token) {
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/api/ws/terminal?token=${token}`, { perMessageDeflate: false });
  let text = '';
  await new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        text += data.toString('latin1');
        ws.send(JSON.stringify({ type: 'ack', data: data.length }));
        if (text.includes('done-3000')) resolve();
        return;
      }
      if (JSON.parse(data).type === 'ready') ws.send(JSON.stringify({ type: 'input', data: 'for i in $(seq 1 3000); do echo "line $i"; done; echo done-$i\r' }));
    });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'init', data: { kind: 'local', shell: '/bin/bash', cols: 120, rows: 40 } })));
  });
  ws.send(JSON.stringify({ type: 'close' }));
  await new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', resolve)));
}

export async function benchMemory() {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-mem-'));
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' });
  const minimal = fork(join(dirname(fileURLToPath(import.meta.url)), 'minimal-terminal.mjs'));
  const server = await startAtelier(join(dir, 'home'));
  try {
    await new Promise((resolve) => minimal.once('message', resolve));
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const metrics = async () => (await (await fetch(`${server.origin}/api/system/metrics`, { headers: server.headers })).json()).server;
    const idle = { rss_mb: round(rssMb(server.child.pid), 1), parts_mb: rssParts(server.child.pid) };
    const idleHeap = await metrics();
    idle.v8_heap_used_mb = round(idleHeap.heap_used_bytes / MB, 1);
    idle.external_mb = round(idleHeap.external_bytes / MB, 1);
    const peers = { bare_node_rss_mb: round(rssMb(bare.pid), 1), minimal_server_rss_mb: round(rssMb(minimal.pid), 1) };

    let peak = 0;
    for (let i = 0; i < SESSIONS; i++) {
      await useOneTerminal(server.origin, server.token);
      peak = Math.max(peak, rssMb(server.child.pid));
    }
    await new Promise((r) => setTimeout(r, AFTER_MS));
    const after = { rss_mb: round(rssMb(server.child.pid), 1), parts_mb: rssParts(server.child.pid) };
    const afterHeap = await metrics();
    after.v8_heap_used_mb = round(afterHeap.heap_used_bytes / MB, 1);

    // What the lazy capabilities cost once used: the OpenAPI document loads every one of them.
    await (await fetch(`${server.origin}/api/openapi.json`, { headers: server.headers })).arrayBuffer();
    await new Promise((r) => setTimeout(r, LOADED_SETTLE_MS));
    const loaded = { rss_mb: round(rssMb(server.child.pid), 1), v8_heap_used_mb: round((await metrics()).heap_used_bytes / MB, 1) };
    const result = {
      idle_after_start: idle,
      peak_during_sessions_rss_mb: round(peak, 1),
      a_minute_after_50_sessions: after,
      after_vs_idle: round(after.rss_mb / idle.rss_mb),
      every_capability_loaded: loaded,
      idle_vs_bare_node: round(idle.rss_mb / peers.bare_node_rss_mb),
      idle_vs_minimal_server: round(idle.rss_mb / peers.minimal_server_rss_mb),
      ...peers,
    };
    console.log(`memory: Atelier idle ${idle.rss_mb} MB RSS ${SETTLE_MS / 1000} s after start (target ≤ 70; bare node ${peers.bare_node_rss_mb} MB, minimal server ${peers.minimal_server_rss_mb} MB); peak ${result.peak_during_sessions_rss_mb} MB over ${SESSIONS} terminals; ${after.rss_mb} MB a minute after the last closed (×${result.after_vs_idle} of idle, target ≤ ×1.2); ${loaded.rss_mb} MB once every capability's code is loaded`);
    console.table({ idle: { ...idle.parts_mb, 'V8 heap used': idle.v8_heap_used_mb, external: idle.external_mb }, 'a minute after': { ...after.parts_mb, 'V8 heap used': after.v8_heap_used_mb } });
    return result;
  } finally {
    bare.kill();
    minimal.disconnect();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
