// Chat benchmarks against a local OpenAI-format streaming stand-in (the only fake allowed):
//   relay: each token's arrival time read directly from the stand-in vs through Atelier's
//          POST /api/chat SSE relay (server process + client); added latency p50/p99;
//   load:  100 concurrent streamed chats; the server's event-loop delay over the run (from its
//          own monitor, via /api/system/metrics) and /api/health latency meanwhile.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAtelier } from './atelier-process.mjs';
import { percentile, round } from './stats.mjs';
import { LLM_ROUTE_RATE_LIMIT } from '../../server/dist/limits.js';

const TOKENS = 300;
const TOKEN_INTERVAL_MS = 5;
const RELAY_ROUNDS = 3;
const CONCURRENT = 100;
const LOAD_TOKENS = 100;
const LOAD_INTERVAL_MS = 20;

/** OpenAI chat-completions streaming, one token per chunk; remembers when each chunk was written. */
function startStandin() {
  const sent = new Map(); // `${stream}:${i}` → hrtime ms
  let streams = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { model } = JSON.parse(body);
      const [tokens, interval] = model === 'load' ? [LOAD_TOKENS, LOAD_INTERVAL_MS] : model === 'seed' ? [1, 1] : [TOKENS, TOKEN_INTERVAL_MS];
      const stream = streams++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta, finish = null) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }));
      let i = 0;
      const timer = setInterval(() => {
        if (i < tokens) {
          sent.set(`${stream}:${i}`, performance.now());
          res.write(chunk({ content: `<${stream}:${i}>` }));
          i++;
          return;
        }
        clearInterval(timer);
        res.write(chunk({}, 'stop'));
        res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model, choices: [], usage: { prompt_tokens: 5, completion_tokens: tokens, total_tokens: tokens + 5 } })}\n\n`);
        res.end('data: [DONE]\n\n');
      }, interval);
      res.on('close', () => clearInterval(timer));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, sent, url: `http://127.0.0.1:${server.address().port}/v1` })));
}

/** Reads an SSE body, calling `onToken(stream, i)` for each `<stream:i>` marker as it arrives. */
async function readTokens(res, onToken) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let m;
    const re = /<(\d+):(\d+)>/g;
    let last = 0;
    while ((m = re.exec(buffer))) {
      onToken(m[1], Number(m[2]));
      last = re.lastIndex;
    }
    buffer = buffer.slice(last);
  }
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
    const direct = [];
    const relayed = [];
    for (let round = 0; round < RELAY_ROUNDS; round++) {
      const directRes = await fetch(`${standin.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'relay', stream: true, messages: [] }) });
      await readTokens(directRes, (s, i) => direct.push(performance.now() - standin.sent.get(`${s}:${i}`)));
      const relayRes = await fetch(`${origin}/api/chat`, { method: 'POST', headers, body: JSON.stringify({ message: 'bench', stream: true }) });
      await readTokens(relayRes, (s, i) => relayed.push(performance.now() - standin.sent.get(`${s}:${i}`)));
    }
    if (relayed.length !== TOKENS * RELAY_ROUNDS) throw new Error(`relay delivered ${relayed.length} of ${TOKENS * RELAY_ROUNDS} tokens`);

    // Load: 100 streams at once, each in its own conversation (as 100 people chatting would be;
    // one shared conversation would make every request carry the others' messages).
    const conversations = [];
    for (let i = 0; i < CONCURRENT; i++) {
      await fetch(`${origin}/api/chat/clear`, { method: 'POST', headers, body: '{}' });
      const seeded = await (await fetch(`${origin}/api/chat`, { method: 'POST', headers, body: JSON.stringify({ message: `user ${i}`, model: 'seed' }) })).json();
      conversations.push(seeded.conversation_id);
    }
    // The chat route is rate limited (a token bucket): wait until it holds a request per stream again.
    const used = CONCURRENT + RELAY_ROUNDS;
    const short = Math.max(0, used + CONCURRENT - LLM_ROUTE_RATE_LIMIT.requests);
    await new Promise((r) => setTimeout(r, Math.ceil((short * LLM_ROUTE_RATE_LIMIT.perMs) / LLM_ROUTE_RATE_LIMIT.requests) + 1_000));
    // The server's own event-loop delay over the run comes from its metrics (each read covers the interval since the previous one); health probes every 10 ms
    // add what a client sees meanwhile.
    await fetch(`${origin}/api/system/metrics`, { headers });
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
    let tokens = 0;
    await Promise.all(
      conversations.map(async (conversation_id) => {
        const res = await fetch(`${origin}/api/chat`, { method: 'POST', headers, body: JSON.stringify({ message: 'load', stream: true, model: 'load', conversation_id }) });
        await readTokens(res, () => tokens++);
      }),
    );
    running = false;
    await prober;
    if (tokens !== CONCURRENT * LOAD_TOKENS) throw new Error(`load delivered ${tokens} of ${CONCURRENT * LOAD_TOKENS} tokens`);
    const seconds = (performance.now() - started) / 1000;
    const loop = (await (await fetch(`${origin}/api/system/metrics`, { headers })).json()).server.event_loop_delay_ms;

    const result = {
      relay_ms: {
        direct: { p50: round(percentile(direct, 50), 3), p99: round(percentile(direct, 99), 3) },
        via_atelier: { p50: round(percentile(relayed, 50), 3), p99: round(percentile(relayed, 99), 3) },
        added: { p50: round(percentile(relayed, 50) - percentile(direct, 50), 3), p99: round(percentile(relayed, 99) - percentile(direct, 99), 3) },
        tokens: TOKENS * RELAY_ROUNDS,
      },
      load: {
        streams: CONCURRENT,
        tokens_delivered: tokens,
        tokens_expected: CONCURRENT * LOAD_TOKENS,
        seconds: round(seconds),
        server_event_loop_delay_ms: loop,
        health_probe_ms: { p50: round(percentile(probes, 50), 2), p99: round(percentile(probes, 99), 2), max: round(Math.max(...probes), 2) },
      },
    };
    console.log(`chat: token relay over ${RELAY_ROUNDS}×${TOKENS} tokens (stand-in write → client read)`);
    console.table({ direct: result.relay_ms.direct, 'via Atelier': result.relay_ms.via_atelier, added: result.relay_ms.added });
    console.log(`chat: ${CONCURRENT} concurrent streams, ${tokens}/${CONCURRENT * LOAD_TOKENS} tokens in ${result.load.seconds} s`);
    console.table({ 'server event-loop delay ms': loop, '/api/health latency ms': result.load.health_probe_ms });
    return result;
  } finally {
    await atelier.stop();
    standin.server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
