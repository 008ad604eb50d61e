// Chat benchmarks against a local OpenAI-format streaming stand-in in its own process (the only
// fake allowed; stream-standin.mjs):
//   relay: each token's latency read directly from the stand-in vs through Atelier's
//          POST /api/chat SSE relay (server process + client); added latency p50/p99;
//   load:  100 concurrent streamed chats; the server's event-loop delay over the run (from its
//          own monitor, via /api/system/metrics) and /api/health latency meanwhile.
import { fork } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAtelier } from './atelier-process.mjs';
import { cpuTicks, percentile, processCpuMs, round, stealPercent } from './stats.mjs';
import { LLM_ROUTE_RATE_LIMIT, METRICS_MIN_SAMPLE_INTERVAL_MS } from '../../server/dist/limits.js';

const TOKENS = 300;
const RELAY_ROUNDS = 5;
const CONCURRENT = 100;
const LOAD_TOKENS = 100;
/** Streams per path before the measured rounds (see "Warming" below); the first is not counted at all. */
const WARM_STREAMS = 10;
/** What stream-standin.mjs streams for each request `model`. */
const STANDIN_SCRIPTS = { relay: { tokens: TOKENS, intervalMs: 5 }, load: { tokens: LOAD_TOKENS, intervalMs: 20 }, seed: { tokens: 1, intervalMs: 1 } };

/** Starts stream-standin.mjs in its own process; resolves with its base URL and stop(). */
async function startStandin() {
  const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'stream-standin.mjs'), [JSON.stringify(STANDIN_SCRIPTS)]);
  const url = await new Promise((resolve) => child.once('message', resolve));
  return { url, stop: () => child.disconnect() };
}

/**
 * POSTs `body` and reads the streamed answer with node:http, calling `onToken(stream, i, latencyMs)`
 * for each `<stream:i:t>` marker as its bytes arrive (t: when the stand-in wrote it, in µs).
 * (fetch and its web streams cost this process about twice the CPU per chunk, and the bench
 * shares two cores with the server it measures.)
 */
function streamTokens(url, headers, body, onToken) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`${url} answered ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (text) => {
        buffer += text;
        let at = 0;
        for (let open = buffer.indexOf('<', at); open !== -1; open = buffer.indexOf('<', at)) {
          const close = buffer.indexOf('>', open);
          if (close === -1) break;
          const [stream, i, sentUs] = buffer.slice(open + 1, close).split(':');
          if (sentUs !== undefined) onToken(stream, Number(i), Number(process.hrtime.bigint() / 1000n - BigInt(sentUs)) / 1000);
          at = close + 1;
        }
        buffer = buffer.slice(at);
      });
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Runs the chat benchmarks and prints them. */
export async function benchChat() {
  const dir = mkdtempSync(join(tmpdir(), 'atelier-bench-chat-'));
  const standin = await startStandin();
  const atelier = await startAtelier(dir);
  try {
    const { origin, headers } = atelier;
    // The start-up tool scan spawns ~50 processes, each blocking the event loop for a few ms:
    // let it finish so the figures below are about chat.
    await fetch(`${origin}/api/scan`, { headers });
    const put = (path, body) => fetch(`${origin}${path}`, { method: 'PUT', headers, body: JSON.stringify(body) });
    await put('/api/config/provider', { id: 'bench', name: 'bench', type: 'openai', base_url: standin.url, api_key: 'k', model: 'relay' });
    await put('/api/config/profile', { active_provider: 'bench', active_model: 'relay' });

    // Direct (read the stand-in ourselves) and relayed (the same stream through POST /api/chat),
    // interleaved over RELAY_ROUNDS rounds so both see the same machine; samples are pooled.
    // A third path, through the least a Node relay can do (minimal-relay.mjs), shows what any
    // relay adds on this machine in the same run. Each path first streams WARM_STREAMS times,
    // read apart as the warming figure, and the order rotates each round: a path's place in the
    // round (after which other one) moved its p99 by ~1 ms here.
    const minimal = fork(join(dirname(fileURLToPath(import.meta.url)), 'minimal-relay.mjs'), [`${standin.url}/chat/completions`]);
    const minimalPort = await new Promise((resolve) => minimal.once('message', resolve));
    // A relay's CPU time per token (its process, all threads) is read too: steadier than latency here.
    const paths = [
      { name: 'direct', url: `${standin.url}/chat/completions`, headers: {}, body: { model: 'relay', stream: true, messages: [] } },
      { name: 'atelier', url: `${origin}/api/chat`, headers, body: { message: 'bench', stream: true }, pid: atelier.child.pid },
      { name: 'minimal', url: `http://127.0.0.1:${minimalPort}/`, headers: {}, body: { model: 'relay' }, pid: minimal.pid },
    ].map((path) => ({ ...path, samples: [], roundP99: [], cpuPerToken: [], warming: [] }));
    const streamPath = (path, into) => streamTokens(path.url, path.headers, path.body, (_s, _i, ms) => into?.push(ms));
    const [directPath, atelierPath, minimalPath] = paths;
    // Warming: a fresh process's relay path is still being tiered up by V8 (its optimizing
    // compiler, on a helper thread, took up to ~36 ms of CPU per function of the provider
    // adapter here, and it kept recompiling for 10-15 streams of 300 tokens), and V8 compacts its
    // heap once, ~8 s after start (the memory reducer; main-thread steps of up to ~6 ms, and
    // code it drops is recompiled). That is start-up, not relaying. With one warm-up stream per
    // path, Atelier's first round read 4-13 ms p99; with one and a wait past the reducer's GCs,
    // Atelier added 1.4-1.5 ms p99 (the minimal relay 0.8-0.9); with ten (≥ 45 s, well past
    // them), 0.37-0.46 ms (the minimal relay 0.17-0.47). The warming streams are reported apart.
    for (let w = 0; w < WARM_STREAMS; w++) for (const path of paths) await streamPath(path, w === 0 ? null : path.warming);
    for (let r = 0; r < RELAY_ROUNDS; r++) {
      for (let k = 0; k < paths.length; k++) {
        const path = paths[(k + r) % paths.length];
        const samples = [];
        const cpuBefore = path.pid ? processCpuMs(path.pid) : 0;
        await streamPath(path, samples);
        if (path.pid) path.cpuPerToken.push((processCpuMs(path.pid) - cpuBefore) / samples.length);
        path.samples.push(...samples);
        path.roundP99.push(round(percentile(samples, 99), 2));
      }
    }
    minimal.disconnect();
    const [direct, relayed, floor] = [directPath.samples, atelierPath.samples, minimalPath.samples];
    if (relayed.length !== TOKENS * RELAY_ROUNDS || floor.length !== TOKENS * RELAY_ROUNDS) throw new Error(`relays delivered ${relayed.length} and ${floor.length} of ${TOKENS * RELAY_ROUNDS} tokens`);

    // Load: 100 streams at once, each in its own conversation (as 100 people chatting would be;
    // one shared conversation would make every request carry the others' messages).
    const conversations = [];
    for (let i = 0; i < CONCURRENT; i++) {
      await fetch(`${origin}/api/chat/clear`, { method: 'POST', headers, body: '{}' });
      const seeded = await (await fetch(`${origin}/api/chat`, { method: 'POST', headers, body: JSON.stringify({ message: `user ${i}`, model: 'seed' }) })).json();
      conversations.push(seeded.conversation_id);
    }
    // The chat route is rate limited (a token bucket): wait until it holds a request per stream again.
    const used = CONCURRENT + RELAY_ROUNDS + WARM_STREAMS;
    const short = Math.max(0, used + CONCURRENT - LLM_ROUTE_RATE_LIMIT.requests);
    await new Promise((r) => setTimeout(r, Math.ceil((short * LLM_ROUTE_RATE_LIMIT.perMs) / LLM_ROUTE_RATE_LIMIT.requests) + 1_000));
    // The server's own event-loop delay over the run comes from its metrics (each read covers the interval since the previous one); health probes every 10 ms
    // add what a client sees meanwhile.
    // This first read also starts the server's monitor, which runs only while metrics are read.
    await fetch(`${origin}/api/system/metrics`, { headers });
    const firstReadAt = performance.now();
    const probes = [];
    let running = true;
    const prober = (async () => {
      while (running) {
        const t = performance.now();
        await fetch(`${origin}/api/health`);
        probes.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const started = performance.now();
    const ticksBefore = cpuTicks();
    const benchCpuBefore = process.cpuUsage();
    let tokens = 0;
    // The delay while the streams start (until each has its first token) is also read apart.
    let streaming = 0;
    let allStreaming;
    // The server answers a read sooner than METRICS_MIN_SAMPLE_INTERVAL_MS after the last with that
    // last sample, so a start phase shorter than that is read once the interval has passed.
    const startPhase = new Promise((resolve) => (allStreaming = resolve)).then(async () => {
      await new Promise((r) => setTimeout(r, Math.max(0, firstReadAt + METRICS_MIN_SAMPLE_INTERVAL_MS + 10 - performance.now())));
      return (await (await fetch(`${origin}/api/system/metrics`, { headers })).json()).server.event_loop_delay_ms;
    });
    await Promise.all(
      conversations.map((conversation_id) => {
        let first = true;
        return streamTokens(`${origin}/api/chat`, headers, { message: 'load', stream: true, model: 'load', conversation_id }, () => {
          tokens++;
          if (first && ++streaming === CONCURRENT) allStreaming();
          first = false;
        });
      }),
    );
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const steal = stealPercent(ticksBefore, cpuTicks());
    running = false;
    await prober;
    const startLoop = await startPhase;
    if (tokens !== CONCURRENT * LOAD_TOKENS) throw new Error(`load delivered ${tokens} of ${CONCURRENT * LOAD_TOKENS} tokens`);
    const seconds = (performance.now() - started) / 1000;
    const loop = (await (await fetch(`${origin}/api/system/metrics`, { headers })).json()).server.event_loop_delay_ms;

    const result = {
      relay_ms: {
        direct: { p50: round(percentile(direct, 50), 3), p99: round(percentile(direct, 99), 3) },
        via_atelier: { p50: round(percentile(relayed, 50), 3), p99: round(percentile(relayed, 99), 3) },
        added: { p50: round(percentile(relayed, 50) - percentile(direct, 50), 3), p99: round(percentile(relayed, 99) - percentile(direct, 99), 3) },
        via_minimal_node_relay: { p50: round(percentile(floor, 50), 3), p99: round(percentile(floor, 99), 3) },
        minimal_node_relay_added: { p50: round(percentile(floor, 50) - percentile(direct, 50), 3), p99: round(percentile(floor, 99) - percentile(direct, 99), 3) },
        tokens: TOKENS * RELAY_ROUNDS,
        p99_per_round: Object.fromEntries(paths.map((path) => [path.name, path.roundP99])),
        warming_p99: Object.fromEntries(paths.map((path) => [path.name, round(percentile(path.warming, 99), 3)])),
        server_cpu_ms_per_token: { atelier: round(percentile(atelierPath.cpuPerToken, 50), 3), minimal_node_relay: round(percentile(minimalPath.cpuPerToken, 50), 3) },
      },
      load: {
        streams: CONCURRENT,
        tokens_delivered: tokens,
        tokens_expected: CONCURRENT * LOAD_TOKENS,
        seconds: round(seconds),
        // The run in two parts, read apart: until every stream has its first token, then the rest.
        // The monitor restarts at each read, so the whole run's p99 is given as its upper bound,
        // the larger of the two (at most 1% of each part's samples lie above it).
        server_event_loop_delay_ms: { p99: Math.max(startLoop.p99, loop.p99), max: Math.max(startLoop.max, loop.max) },
        server_event_loop_delay_ms_starting: startLoop,
        server_event_loop_delay_ms_streaming: loop,
        machine_steal_percent: steal,
        bench_process_cpu_ms: round((benchCpu.user + benchCpu.system) / 1000, 0),
        health_probe_ms: { p50: round(percentile(probes, 50), 2), p99: round(percentile(probes, 99), 2), max: round(Math.max(...probes), 2) },
      },
    };
    console.log(`chat: token relay over ${RELAY_ROUNDS}×${TOKENS} tokens (stand-in write → client read)`);
    console.table({
      direct: result.relay_ms.direct,
      'via Atelier': result.relay_ms.via_atelier,
      'added by Atelier': result.relay_ms.added,
      'via a minimal Node relay': result.relay_ms.via_minimal_node_relay,
      'added by the minimal relay': result.relay_ms.minimal_node_relay_added,
    });
    console.log(`chat: relay p99 while warming (streams 2-${WARM_STREAMS} after start), ms: ${paths.map((path) => `${path.name} ${result.relay_ms.warming_p99[path.name]}`).join('; ')}`);
    console.log(`chat: relay p99 per round, ms: ${paths.map((path) => `${path.name} ${path.roundP99.join(' / ')}`).join('; ')}`);
    console.log(`chat: relay process CPU per token (median of rounds): Atelier ${result.relay_ms.server_cpu_ms_per_token.atelier} ms, the minimal relay ${result.relay_ms.server_cpu_ms_per_token.minimal_node_relay} ms`);
    console.log(`chat: ${CONCURRENT} concurrent streams, ${tokens}/${CONCURRENT * LOAD_TOKENS} tokens in ${result.load.seconds} s (steal ${steal}%, bench process ${result.load.bench_process_cpu_ms} ms CPU)`);
    console.table({
      'event-loop delay ms, streams starting': startLoop,
      'event-loop delay ms, streaming': loop,
      'event-loop delay ms, whole run (p99 bound)': result.load.server_event_loop_delay_ms,
      '/api/health latency ms': result.load.health_probe_ms,
    });
    return result;
  } finally {
    await atelier.stop();
    standin.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
