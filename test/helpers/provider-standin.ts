import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for AI providers: the ONLY fake the test suite uses. It speaks the exact
 * wire formats (shapes copied from the vendors' streaming docs):
 *
 * - OpenAI chat completions (`POST …/chat/completions`): `data: {chat.completion.chunk}` lines —
 *   a role chunk first, `reasoning_content` deltas, content deltas, `tool_calls` deltas whose
 *   `arguments` JSON is cut mid-token across chunks, a finish chunk, a usage chunk with empty
 *   `choices` (only when `stream_options.include_usage` was asked), then `data: [DONE]`.
 * - Anthropic messages (`POST …/v1/messages`): `event: message_start`, `ping`, per block
 *   `content_block_start` / `content_block_delta` (text_delta, thinking_delta + signature_delta,
 *   input_json_delta) / `content_block_stop`, `message_delta` (stop_reason, usage), `message_stop`.
 * - Both as plain JSON when `stream` is false, each vendor's error bodies, and `GET …/models`.
 *
 * Each test scripts the turns it wants (`script([...])`); every request is recorded with its
 * headers and parsed body, and with whether the client closed it before the answer ended.
 */

/** A tool call a scripted turn makes. */
export interface ScriptedToolCall {
  id?: string;
  name: string;
  args: Record<string, unknown>;
  /** Sent verbatim instead of `args` as JSON: a model emitting broken arguments. */
  raw_args?: string;
  /** The arguments JSON travels in pieces this long (default 5: keys and strings are cut mid-token). */
  piece_chars?: number;
}

/** What the stand-in answers to one chat request. */
export interface Turn {
  /** Reasoning, streamed first (OpenAI `reasoning_content`, Anthropic thinking block). */
  thinking?: string[];
  /** Answer text, one delta per element. */
  text?: string[];
  tool_calls?: ScriptedToolCall[];
  usage?: { input_tokens: number; output_tokens: number };
  /** Native stop reason; default stop/end_turn, or tool_calls/tool_use when the turn calls tools. */
  stop_reason?: string;
  /** Pause before each streamed event. */
  delay_ms?: number;
  /** SSE comments sent before the first chunk, as OpenRouter does while a model warms up. */
  keepalive_comments?: number;
  /** OpenAI dialect: `reasoning` (OpenRouter, Ollama) instead of `reasoning_content`. */
  reasoning_field?: 'reasoning_content' | 'reasoning';
  /** Answer this HTTP status with the vendor's error body instead. */
  status?: number;
  error_message?: string;
  retry_after?: string;
  /** A broken answer: an event that is not JSON, a stream cut before its end, or HTML instead of SSE. */
  malformed?: 'not_json' | 'truncated' | 'not_sse';
  /** An error reported inside a 200 stream (OpenAI `{error}` chunk, Anthropic `event: error`). */
  stream_error?: { type: string; message: string };
  /** Never answer (`headers`), or send the first events then go silent (`body`). */
  hang?: 'headers' | 'body';
}

/** One request the stand-in received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body, or undefined. */
  body: any;
  /** Resolves when the connection ends: true when the client closed it before the answer was complete. */
  closed: Promise<boolean>;
  /** The client's port: two requests with the same one came over one kept-alive connection. */
  remotePort: number | undefined;
}

/** A canned answer for any other path (quota APIs and the like). */
export type RouteAnswer = { status?: number; json: unknown; headers?: Record<string, string> } | ((req: RecordedRequest, res: ServerResponse) => void);

/** A running stand-in. */
export interface ProviderStandin {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Base URL for an OpenAI-compatible provider (`${url}/v1`). */
  openaiBase: string;
  /** Base URL for an Anthropic provider (`${url}`). */
  anthropicBase: string;
  requests: RecordedRequest[];
  /** Chat requests only (chat/completions and messages), in order. */
  chatRequests(): RecordedRequest[];
  /** Replaces the queue of turns; each chat request takes the next one. */
  script(turns: Turn[]): void;
  /** Turns not yet used. */
  pending(): number;
  /** Answers `method path` with `answer` (e.g. a quota API). */
  route(method: string, path: string, answer: RouteAnswer): void;
  /** Model ids listed by GET …/models. */
  models: string[];
  /** When set, a request without this key (Bearer, x-api-key or bare Authorization) gets the vendor's 401. */
  apiKey: string | undefined;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const id = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`;

/** Cuts `s` into pieces of `n` characters. */
function pieces(s: string, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));
  return out.length ? out : [''];
}

function keyOf(headers: IncomingMessage['headers']): string | undefined {
  const auth = headers.authorization;
  if (typeof headers['x-api-key'] === 'string') return headers['x-api-key'];
  if (typeof headers['api-key'] === 'string') return headers['api-key'];
  if (typeof auth === 'string') return auth.startsWith('Bearer ') ? auth.slice(7) : auth;
  return undefined;
}

type Dialect = 'openai' | 'anthropic';

function errorBody(dialect: Dialect, status: number, message: string): unknown {
  if (dialect === 'anthropic') {
    const type = status === 401 ? 'authentication_error' : status === 403 ? 'permission_error' : status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
    return { type: 'error', error: { type, message } };
  }
  const [type, code] = status === 401 ? ['invalid_request_error', 'invalid_api_key'] : status === 429 ? ['requests', 'rate_limit_exceeded'] : status >= 500 ? ['server_error', null] : ['invalid_request_error', null];
  return { error: { message, type, param: null, code } };
}

const DEFAULT_MESSAGES: Record<number, string> = {
  401: 'Incorrect API key provided: sk-te*****1234. You can find your API key at https://platform.openai.com/account/api-keys.',
  403: 'You are not allowed to sample from this model',
  429: 'Rate limit reached for requests',
  500: 'The server had an error while processing your request. Sorry about that!',
};

/** Starts a stand-in on 127.0.0.1 and a free port. */
export async function startProviderStandin(opts: { apiKey?: string; models?: string[] } = {}): Promise<ProviderStandin> {
  let queue: Turn[] = [];
  const routes = new Map<string, RouteAnswer>();
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const closed = new Promise<boolean>((resolve) => res.on('close', () => resolve(!res.writableFinished)));
      const record: RecordedRequest = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, headers: req.headers, body, closed, remotePort: req.socket.remotePort };
      requests.push(record);
      void handle(record, res).catch((err) => {
        if (!res.headersSent) res.writeHead(500).end(String(err));
        else res.destroy();
      });
    });
  });

  async function handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    const custom = routes.get(`${req.method} ${req.path}`);
    if (custom) {
      if (typeof custom === 'function') return custom(req, res);
      return json(res, custom.status ?? 200, custom.json, custom.headers);
    }
    const dialect: Dialect = req.path.endsWith('/messages') || req.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
    if (standin.apiKey !== undefined && keyOf(req.headers) !== standin.apiKey) {
      return json(res, 401, errorBody(dialect, 401, dialect === 'anthropic' ? 'invalid x-api-key' : DEFAULT_MESSAGES[401]!));
    }
    if (req.method === 'GET' && req.path.endsWith('/models')) {
      const created = 1_700_000_000;
      return json(
        res,
        200,
        dialect === 'anthropic'
          ? { data: standin.models.map((m) => ({ type: 'model', id: m, display_name: m, created_at: '2025-01-01T00:00:00Z' })), has_more: false, first_id: standin.models[0] ?? null, last_id: standin.models.at(-1) ?? null }
          : { object: 'list', data: standin.models.map((m) => ({ id: m, object: 'model', created, owned_by: 'standin' })) },
      );
    }
    const isChat = req.method === 'POST' && (req.path.endsWith('/chat/completions') || req.path.endsWith('/messages'));
    if (!isChat) return json(res, 404, errorBody(dialect, 404, `Unknown path ${req.path}`));
    // Anthropic refuses a history with tool blocks when the request defines no tools.
    const refusal = dialect === 'anthropic' ? anthropicRefusal(req.body) : undefined;
    if (refusal !== undefined) return json(res, 400, errorBody(dialect, 400, refusal));
    const turn = queue.shift();
    if (!turn) return json(res, 500, errorBody(dialect, 500, 'provider stand-in: no scripted turn left'));
    if (turn.hang === 'headers') return; // the connection stays open and silent
    if (turn.status !== undefined) {
      const headers: Record<string, string> = turn.retry_after === undefined ? {} : { 'retry-after': turn.retry_after };
      return json(res, turn.status, errorBody(dialect, turn.status, turn.error_message ?? DEFAULT_MESSAGES[turn.status] ?? `HTTP ${turn.status}`), headers);
    }
    if (turn.malformed === 'not_sse') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
      return;
    }
    const model = String(req.body?.model ?? 'standin-model');
    if (req.body?.stream !== true) return json(res, 200, dialect === 'anthropic' ? anthropicMessage(turn, model) : openAICompletion(turn, model));
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const events = dialect === 'anthropic' ? anthropicEvents(turn, model) : openAIEvents(turn, model, req.body?.stream_options?.include_usage === true);
    for (let i = 0; i < (turn.keepalive_comments ?? 0); i++) res.write(': OPENROUTER PROCESSING\n\n');
    let sent = 0;
    for (const event of events) {
      if (turn.delay_ms) await sleep(turn.delay_ms);
      if (res.destroyed || res.writableEnded) return;
      res.write(event);
      sent += 1;
      if (turn.hang === 'body' && sent === 2) return; // stays open, never another byte
      if (turn.malformed === 'truncated' && sent === 3) {
        res.end();
        return;
      }
    }
    res.end();
  }

  const standin: ProviderStandin = {
    url: '',
    openaiBase: '',
    anthropicBase: '',
    requests,
    chatRequests: () => requests.filter((r) => r.method === 'POST' && (r.path.endsWith('/chat/completions') || r.path.endsWith('/messages'))),
    script(turns) {
      queue = [...turns];
    },
    pending: () => queue.length,
    route(method, path, answer) {
      routes.set(`${method.toUpperCase()} ${path}`, answer);
    },
    models: opts.models ?? ['standin-small', 'standin-large'],
    apiKey: opts.apiKey,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standin.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standin.openaiBase = `${standin.url}/v1`;
  standin.anthropicBase = standin.url;
  return standin;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const usageOf = (turn: Turn) => turn.usage ?? { input_tokens: 10, output_tokens: 5 };

// ---- OpenAI chat completions ----

function openAIEvents(turn: Turn, model: string, includeUsage: boolean): string[] {
  const base = { id: id('chatcmpl-'), object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, system_fingerprint: 'fp_standin' };
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage && { usage: null }) })}\n\n`;
  const field = turn.reasoning_field ?? 'reasoning_content';
  const out = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const t of turn.thinking ?? []) out.push(chunk({ content: null, [field]: t }));
  if (turn.malformed === 'not_json') out.push('data: {"id":"chatcmpl-broken","choices":[{"index":0,"delta":{"content":"x"\n\n');
  for (const t of turn.text ?? []) out.push(chunk({ content: t }));
  if (turn.stream_error) out.push(`data: ${JSON.stringify({ error: { message: turn.stream_error.message, type: turn.stream_error.type, code: 502 } })}\n\n`);
  (turn.tool_calls ?? []).forEach((call, index) => {
    out.push(chunk({ tool_calls: [{ index, id: call.id ?? id('call_'), type: 'function', function: { name: call.name, arguments: '' } }] }));
    for (const piece of pieces(call.raw_args ?? JSON.stringify(call.args), call.piece_chars ?? 5)) out.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  out.push(chunk({}, turn.stop_reason ?? (turn.tool_calls?.length ? 'tool_calls' : 'stop')));
  if (includeUsage) {
    const u = usageOf(turn);
    out.push(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: u.input_tokens, completion_tokens: u.output_tokens, total_tokens: u.input_tokens + u.output_tokens } })}\n\n`);
  }
  out.push('data: [DONE]\n\n');
  return out;
}

function openAICompletion(turn: Turn, model: string): unknown {
  const u = usageOf(turn);
  const calls = (turn.tool_calls ?? []).map((c) => ({ id: c.id ?? id('call_'), type: 'function', function: { name: c.name, arguments: c.raw_args ?? JSON.stringify(c.args) } }));
  return {
    id: id('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: turn.text?.join('') ?? null,
          refusal: null,
          ...(turn.thinking && { [turn.reasoning_field ?? 'reasoning_content']: turn.thinking.join('') }),
          ...(calls.length && { tool_calls: calls }),
        },
        logprobs: null,
        finish_reason: turn.stop_reason ?? (calls.length ? 'tool_calls' : 'stop'),
      },
    ],
    usage: { prompt_tokens: u.input_tokens, completion_tokens: u.output_tokens, total_tokens: u.input_tokens + u.output_tokens },
  };
}

// ---- Anthropic messages ----

/** Anthropic's 400 message for a request it refuses as invalid, or undefined when it would accept it. */
function anthropicRefusal(body: any): string | undefined {
  const blocks: any[] = (Array.isArray(body?.messages) ? body.messages : []).flatMap((m: any) => (Array.isArray(m?.content) ? m.content : []));
  const hasToolBlocks = blocks.some((b) => b?.type === 'tool_use' || b?.type === 'tool_result');
  if (hasToolBlocks && !(Array.isArray(body?.tools) && body.tools.length > 0)) return 'Requests which include `tool_use` or `tool_result` blocks must define tools.';
  return undefined;
}

function anthropicEvents(turn: Turn, model: string): string[] {
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const u = usageOf(turn);
  const out = [
    ev('message_start', { message: { id: id('msg_'), type: 'message', role: 'assistant', content: [], model, stop_reason: null, stop_sequence: null, usage: { input_tokens: u.input_tokens, output_tokens: 1 } } }),
    ev('ping', {}),
  ];
  let index = 0;
  if (turn.thinking?.length) {
    out.push(ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    for (const t of turn.thinking) out.push(ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: t } }));
    out.push(ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' } }));
    out.push(ev('content_block_stop', { index }));
    index += 1;
  }
  if (turn.malformed === 'not_json') out.push('event: content_block_delta\ndata: {"type":"content_block_delta","index":\n\n');
  if (turn.text?.length) {
    out.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    for (const t of turn.text) out.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: t } }));
    out.push(ev('content_block_stop', { index }));
    index += 1;
  }
  if (turn.stream_error) out.push(ev('error', { error: { type: turn.stream_error.type, message: turn.stream_error.message } }));
  for (const call of turn.tool_calls ?? []) {
    out.push(ev('content_block_start', { index, content_block: { type: 'tool_use', id: call.id ?? id('toolu_'), name: call.name, input: {} } }));
    for (const piece of pieces(call.raw_args ?? JSON.stringify(call.args), call.piece_chars ?? 5)) out.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }));
    out.push(ev('content_block_stop', { index }));
    index += 1;
  }
  out.push(ev('message_delta', { delta: { stop_reason: turn.stop_reason ?? (turn.tool_calls?.length ? 'tool_use' : 'end_turn'), stop_sequence: null }, usage: { output_tokens: u.output_tokens } }));
  out.push(ev('message_stop', {}));
  return out;
}

function anthropicMessage(turn: Turn, model: string): unknown {
  const u = usageOf(turn);
  return {
    id: id('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content: [
      ...(turn.thinking?.length ? [{ type: 'thinking', thinking: turn.thinking.join(''), signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' }] : []),
      ...(turn.text?.length ? [{ type: 'text', text: turn.text.join('') }] : []),
      ...(turn.tool_calls ?? []).map((c) => ({ type: 'tool_use', id: c.id ?? id('toolu_'), name: c.name, input: c.args })),
    ],
    stop_reason: turn.stop_reason ?? (turn.tool_calls?.length ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: { input_tokens: u.input_tokens, output_tokens: u.output_tokens },
  };
}
