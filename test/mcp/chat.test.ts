// Atelier as its own MCP editor: servers configured with editor "atelier" join the chat's tool
// loop as mcp__<server>__<tool>, run through the SDK against the real filesystem server
// (npx resolving the local devDependency), restart when they die and stop at shutdown.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readSse, SseReader } from '../helpers/sse.js';
import { alive, call, eventually, tempHome } from './fixtures.js';

const home = tempHome();
const shared = join(home.dir, 'shared');
const TOOL = 'mcp__filesystem__list_directory';
const TRUST_FILESYSTEM = { tool: 'mcp', match: 'mcp__filesystem__*', action: 'allow' };
let server: TestServer;
let openai: ProviderStandin;

beforeAll(async () => {
  mkdirSync(shared, { recursive: true });
  writeFileSync(join(shared, 'hello-mcp.txt'), 'hi');
  server = await startTestServer();
  openai = await startProviderStandin({ apiKey: 'sk-openai', models: ['gpt-test'] });
  const put = await server.fetch('/api/config/provider', {
    method: 'PUT',
    body: JSON.stringify({ id: 'oai', name: 'OpenAI stand-in', type: 'openai', base_url: openai.openaiBase, api_key: 'sk-openai', model: 'gpt-test', models: ['gpt-test'] }),
  });
  expect(put.status).toBe(200);
  expect((await server.fetch('/api/config/profile', { method: 'PUT', body: JSON.stringify({ active_provider: 'oai', active_model: 'gpt-test' }) })).status).toBe(200);
  // The user trusts this server: its tools run without asking (MCP tools ask by default).
  expect((await call(server, 'PUT', '/api/permissions', { rules: [TRUST_FILESYSTEM] })).status).toBe(200);
});
afterAll(async () => {
  await server.close();
  await openai.close();
  home.restore();
});

/** One chat message whose model turn calls `tool` with `args`, then answers "done"; the tool_result event. */
async function chatCalling(tool: string, args: Record<string, unknown>): Promise<any> {
  openai.script([{ tool_calls: [{ id: 'call_mcp', name: tool, args }] }, { text: ['done'] }]);
  const events = await readSse(await server.fetch('/api/chat', { method: 'POST', body: JSON.stringify({ message: 'list it', stream: true }) }));
  const result = events.find((e) => 'tool_result' in e);
  expect(result, JSON.stringify(events)).toBeDefined();
  return result.tool_result;
}

const offered = (request: any): string[] => (request.body.tools ?? []).map((t: any) => t.function.name);
const servers = async () => (await call(server, 'GET', '/api/mcp/servers')).json.servers;

describe('configuring Atelier itself', () => {
  it('adds an enabled server to its own list, answered like an editor file', async () => {
    const { status, json } = await call(server, 'POST', '/api/mcp/configure', { editor: 'atelier', server: 'filesystem', args: { allowed_directory: shared } });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json).toMatchObject({ editor: 'atelier', scope: 'user', key: 'filesystem', replaced: false, warnings: [] });
    expect(json.path).toMatch(/atelier\.db$/);
    expect(json.entry).toEqual({ type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem@2026.8.31', shared] });
    expect(await servers()).toEqual([
      expect.objectContaining({ name: 'filesystem', server: 'filesystem', transport: 'stdio', command: 'npx', enabled: true, state: 'stopped', tools: [] }),
    ]);
  });

  it('has no project scope', async () => {
    const { status, json } = await call(server, 'POST', '/api/mcp/configure', { editor: 'atelier', scope: 'project', project_dir: home.dir, server: 'time' });
    expect(status).toBe(400);
    expect(json.code).toBe('SCOPE_NOT_SUPPORTED');
  });
});

describe('the chat tool loop', () => {
  it('offers the server\'s tools with their JSON schema and runs a real call', async () => {
    const result = await chatCalling(TOOL, { path: shared });
    expect(result).toMatchObject({ tool_call_id: 'call_mcp', is_error: false });
    expect(result.content).toContain('[FILE] hello-mcp.txt');
    const first = openai.chatRequests().at(-2)!;
    expect(offered(first)).toEqual(expect.arrayContaining(['terminal', TOOL, 'mcp__filesystem__read_text_file']));
    const spec = first.body.tools.find((t: any) => t.function.name === TOOL).function;
    expect(spec.parameters).toMatchObject({ type: 'object', properties: { path: { type: 'string' } }, required: ['path'] });
    expect(spec.parameters.$schema).toBeUndefined();
    // The result went back to the model.
    expect(openai.chatRequests().at(-1)!.body.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_mcp' });
  });

  it('asks before a tool of a server the user does not trust, showing the server, tool and arguments', async () => {
    expect((await call(server, 'PUT', '/api/permissions', { rules: [] })).status).toBe(200);
    try {
      openai.script([{ tool_calls: [{ id: 'call_ask', name: TOOL, args: { path: shared } }] }, { text: ['ok'] }]);
      const res = await server.fetch('/api/chat', { method: 'POST', body: JSON.stringify({ message: 'list it', stream: true }) });
      const stream = new SseReader(res);
      const { approval_request: request } = await stream.until((e) => 'approval_request' in e);
      expect(request).toMatchObject({
        tool: TOOL,
        reason: expect.stringMatching(/MCP tools ask unless you trust the server/),
        preview: { kind: 'mcp', server: 'filesystem', tool: 'list_directory', args: { path: shared } },
        suggested_rules: [{ tool: 'mcp', match: TOOL, action: 'allow' }],
      });
      expect((await call(server, 'POST', '/api/chat/approve', { id: request.id, hash: request.hash, decision: 'deny' })).status).toBe(200);
      const result = (await stream.until((e) => 'tool_result' in e)).tool_result;
      expect(result).toMatchObject({ is_error: true, permission_denied: true });
      expect(result.content).not.toContain('hello-mcp.txt');
      await stream.rest();
    } finally {
      expect((await call(server, 'PUT', '/api/permissions', { rules: [TRUST_FILESYSTEM] })).status).toBe(200);
    }
  });

  it('shows the running server with its pid and chat tools', async () => {
    const [fs] = await servers();
    expect(fs).toMatchObject({ state: 'running', pid: expect.any(Number) });
    expect(fs.tools).toContain(TOOL);
  });

  it('turns an MCP error result into an error tool result', async () => {
    const result = await chatCalling(TOOL, { path: join(home.dir, '..') });
    expect(result.is_error).toBe(true);
    expect(result.content).toMatch(/denied|outside|allowed/i);
  });

  it('restarts a server that died', async () => {
    const [before] = await servers();
    process.kill(before.pid, 'SIGTERM');
    expect(await eventually(() => !alive(before.pid))).toBe(true);
    // The hub notices the exit (the SDK's transport closes once the process and its pipes are gone).
    let state = 'running';
    for (let i = 0; i < 100 && state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await servers())[0].state;
    }
    expect(state).toBe('stopped');
    const result = await chatCalling(TOOL, { path: shared });
    expect(result).toMatchObject({ is_error: false });
    expect(result.content).toContain('hello-mcp.txt');
    const [after] = await servers();
    expect(after.pid).not.toBe(before.pid);
  });

  it('is checked by GET /api/mcp/status like any editor\'s server', async () => {
    const { json } = await call(server, 'GET', '/api/mcp/status');
    expect(json.servers.find((s: any) => s.editor === 'atelier')).toMatchObject({ name: 'filesystem', ok: true });
  });

  it('leaves the chat when disabled, and the process stops', async () => {
    const [running] = await servers();
    const { status, json } = await call(server, 'PUT', '/api/mcp/servers/filesystem', { enabled: false });
    expect(status).toBe(200);
    expect(json).toMatchObject({ enabled: false, state: 'stopped', tools: [] });
    expect(await eventually(() => !alive(running.pid))).toBe(true);
    const result = await chatCalling(TOOL, { path: shared });
    expect(result.is_error).toBe(true);
    expect(offered(openai.chatRequests().at(-2)!).filter((n) => n.startsWith('mcp__'))).toEqual([]);
    expect((await call(server, 'PUT', '/api/mcp/servers/nope', { enabled: true })).status).toBe(404);
  });

  it('is removed with POST /api/mcp/remove', async () => {
    await call(server, 'POST', '/api/mcp/configure', { editor: 'atelier', server: 'filesystem', name: 'scratch', args: { allowed_directory: shared } });
    const { status } = await call(server, 'POST', '/api/mcp/remove', { editor: 'atelier', name: 'scratch' });
    expect(status).toBe(200);
    expect((await servers()).map((s: any) => s.name)).toEqual(['filesystem']);
  });

  it('serves workflow tool steps too', async () => {
    await call(server, 'PUT', '/api/mcp/servers/filesystem', { enabled: true });
    const created = await call(server, 'POST', '/api/workflow', { title: 'mcp', steps: [{ title: 'list', kind: 'tool', tool: TOOL, args: { path: shared }, requires_approval: false }] });
    expect(created.status).toBe(200);
    const { json } = await call(server, 'POST', `/api/workflow/execute/${created.json.id}`, {});
    expect(json.steps[0]).toMatchObject({ status: 'done', output: expect.stringContaining('hello-mcp.txt') });
  });

  it('stops its servers when Atelier shuts down', async () => {
    await call(server, 'PUT', '/api/mcp/servers/filesystem', { enabled: true });
    expect((await chatCalling(TOOL, { path: shared })).is_error).toBe(false);
    const [running] = await servers();
    await server.close();
    expect(await eventually(() => !alive(running.pid))).toBe(true);
  });
});
