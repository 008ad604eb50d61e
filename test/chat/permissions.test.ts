// The chat loop under the permission system (issue 16), against the stand-in provider and a
// real server: an asked call pauses the stream with an approval_request; allow_once runs it;
// deny feeds the user's note back to the model; allow_always saves the narrowest rule; an
// approval is bound to its hash, answered once, and expires; a reload re-subscribes and answers.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readSse, SseReader } from '../helpers/sse.js';

let server: TestServer;
let openai: ProviderStandin;
// Inside the home directory, where file tools work.
const scratch = join(homedir(), `.atelier-test-permissions-${process.pid}`);

async function json(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any }> {
  const res = await server.fetch(path, { method, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function chatStream(message: string): Promise<SseReader> {
  return server.fetch('/api/chat', { method: 'POST', body: JSON.stringify({ message, stream: true }) }).then((res) => {
    expect(res.status).toBe(200);
    return new SseReader(res);
  });
}

const approve = (request: { id: string; hash: string }, decision: string, note?: string) => json('/api/chat/approve', 'POST', { id: request.id, hash: request.hash, decision, ...(note && { note }) });

/** The tool message the model received for a call, in the request after it. */
function toolResultSent(callId: string): string | undefined {
  for (const request of [...openai.chatRequests()].reverse()) {
    const message = request.body.messages.find((m: { role: string; tool_call_id?: string }) => m.role === 'tool' && m.tool_call_id === callId);
    if (message) return message.content;
  }
  return undefined;
}

beforeAll(async () => {
  mkdirSync(scratch, { recursive: true });
  server = await startTestServer();
  openai = await startProviderStandin({ apiKey: 'sk-openai', models: ['gpt-test'] });
  expect((await json('/api/config/provider', 'PUT', { id: 'oai', name: 'stand-in', type: 'openai', base_url: openai.openaiBase, api_key: 'sk-openai', model: 'gpt-test', models: ['gpt-test'] })).status).toBe(200);
  expect((await json('/api/config/profile', 'PUT', { active_provider: 'oai', active_model: 'gpt-test' })).status).toBe(200);
});
afterAll(async () => {
  await server.close();
  await openai.close();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(async () => {
  expect((await json('/api/permissions', 'PUT', { mode: 'ask', approval_timeout_s: 600, rules: [] })).status).toBe(200);
  await json('/api/chat/clear', 'POST', {});
});

describe('approvals in the chat', () => {
  it('pauses an asked call with an approval_request, runs it on allow_once, and the reply continues', async () => {
    const marker = join(scratch, 'allowed-once');
    openai.script([{ tool_calls: [{ id: 'c1', name: 'terminal', args: { command: `touch ${marker}` } }] }, { text: ['made it'] }]);
    const stream = await chatStream('make a file');
    const { approval_request: request } = await stream.until((e) => 'approval_request' in e);
    expect(request).toMatchObject({
      tool_call_id: 'c1',
      tool: 'terminal',
      args: { command: `touch ${marker}` },
      reason: expect.stringMatching(/needs approval/),
      preview: { kind: 'commands', commands: [expect.objectContaining({ command: `touch ${marker}`, decision: 'ask' })] },
      suggested_rules: [{ tool: 'terminal', match: `touch ${marker}`, action: 'allow' }],
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // Paused: nothing ran, and the model was asked nothing more.
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(marker)).toBe(false);
    const requestsBefore = openai.chatRequests().length;
    expect(stream.seen.some((e) => 'tool_result' in e)).toBe(false);

    expect(await approve(request, 'allow_once')).toEqual({ status: 200, body: { id: request.id, decision: 'allow_once', saved_rules: [] } });
    expect((await stream.until((e) => 'approval_resolved' in e)).approval_resolved).toEqual({ id: request.id, decision: 'allow_once' });
    expect((await stream.until((e) => 'tool_result' in e)).tool_result).toMatchObject({ tool_call_id: 'c1', is_error: false });
    const rest = await stream.rest();
    expect(rest.filter((e) => 'content' in e).map((e) => e.content).join('')).toBe('made it');
    expect(rest.at(-1)).toEqual({ done: 'true' });
    expect(existsSync(marker)).toBe(true);
    expect(openai.chatRequests().length).toBe(requestsBefore + 1);
    // Allowing once saved no rule, and the audit log has the user's decision.
    expect((await json('/api/permissions')).body.rules).toEqual([]);
    const conversation = (await json('/api/chat/history')).body.conversation.id;
    const audit = (await json(`/api/permissions/audit?conversation_id=${conversation}`)).body;
    expect(audit[0]).toMatchObject({ source: 'chat', tool: 'terminal', decision: 'allow', decided_by: 'user', reason: 'allowed once by the user' });
  });

  it('feeds a denial with the note back to the model as the tool error, and runs nothing', async () => {
    const marker = join(scratch, 'denied');
    openai.script([{ tool_calls: [{ id: 'd1', name: 'terminal', args: { command: `touch ${marker}` } }] }, { text: ['ok, I will not'] }]);
    const stream = await chatStream('make a file');
    const { approval_request: request } = await stream.until((e) => 'approval_request' in e);
    expect((await approve(request, 'deny', 'use the scratch folder instead')).status).toBe(200);
    const result = (await stream.until((e) => 'tool_result' in e)).tool_result;
    expect(result).toMatchObject({ tool_call_id: 'd1', is_error: true, permission_denied: true });
    expect(result.content).toBe("Permission denied: The user denied this call. The user's note: use the scratch folder instead");
    await stream.rest();
    expect(existsSync(marker)).toBe(false);
    // The model's next turn saw the note.
    expect(toolResultSent('d1')).toContain('use the scratch folder instead');
    const history = (await json('/api/chat/history')).body;
    expect(history.messages.find((m: { tool_call_id: string }) => m.tool_call_id === 'd1')).toMatchObject({ is_error: true, permission_denied: true });
  });

  it('saves the narrowest rule on allow_always, and the next identical call runs without asking', async () => {
    const folder = join(scratch, 'always');
    const command = `mkdir -p ${folder}`;
    openai.script([
      { tool_calls: [{ id: 'a1', name: 'terminal', args: { command } }] },
      { tool_calls: [{ id: 'a2', name: 'terminal', args: { command } }] },
      { tool_calls: [{ id: 'a3', name: 'terminal', args: { command: `mkdir -p ${folder}-other` } }] },
      { text: ['made'] },
    ]);
    const stream = await chatStream('make the folder');
    const { approval_request: request } = await stream.until((e) => 'approval_request' in e);
    // The command itself (mkdir names no verb): not `mkdir *`, which would allow every mkdir.
    const rule = { tool: 'terminal', match: command, action: 'allow' };
    expect(request.suggested_rules).toEqual([rule]);
    expect((await approve(request, 'allow_always')).body.saved_rules).toEqual([rule]);
    expect((await stream.until((e) => 'tool_result' in e && e.tool_result.tool_call_id === 'a1')).tool_result.is_error).toBe(false);
    // The identical call goes through at once; another folder is asked about again.
    const next = await stream.until((e) => 'approval_request' in e || ('tool_result' in e && e.tool_result.tool_call_id === 'a2'));
    expect(next).toMatchObject({ tool_result: { tool_call_id: 'a2', is_error: false } });
    const other = (await stream.until((e) => 'approval_request' in e)).approval_request;
    expect(other.tool_call_id).toBe('a3');
    await approve(other, 'deny');
    await stream.rest();
    expect(existsSync(folder)).toBe(true);
    expect(existsSync(`${folder}-other`)).toBe(false);
    expect((await json('/api/permissions')).body.rules).toEqual([rule]);
    // The rule went through the versioned config: it is a generation of its own.
    const generations = (await json('/api/config/generations')).body;
    expect(JSON.stringify(generations)).toContain('permissions: allow always');
  });

  it('shows a unified diff for write_file against the current file, and "new file" for a new one', async () => {
    const existing = join(scratch, 'notes.txt');
    writeFileSync(existing, 'one\ntwo\n');
    openai.script([
      { tool_calls: [{ id: 'w1', name: 'write_file', args: { path: existing, content: 'one\nthree\n' } }] },
      { tool_calls: [{ id: 'w2', name: 'write_file', args: { path: join(scratch, 'fresh.txt'), content: 'hello\n' } }] },
      { text: ['written'] },
    ]);
    const stream = await chatStream('edit notes');
    const first = (await stream.until((e) => 'approval_request' in e)).approval_request;
    expect(first.preview).toMatchObject({ kind: 'diff', new_file: false });
    expect(first.preview.diff).toMatch(/^-two$/m);
    expect(first.preview.diff).toMatch(/^\+three$/m);
    await approve(first, 'deny');
    const second = (await stream.until((e) => 'approval_request' in e)).approval_request;
    expect(second.preview).toMatchObject({ kind: 'diff', new_file: true });
    expect(second.preview.diff).toMatch(/^\+hello$/m);
    await approve(second, 'deny');
    await stream.rest();
  });
});

describe('an approval is bound, single and timed', () => {
  it('refuses a mismatched hash (409), a second answer (409), an unknown id (404), and an expired request (410)', async () => {
    openai.script([{ tool_calls: [{ id: 'h1', name: 'terminal', args: { command: `touch ${join(scratch, 'bound')}` } }] }, { text: ['done'] }]);
    const stream = await chatStream('bound');
    const { approval_request: request } = await stream.until((e) => 'approval_request' in e);
    const other = { ...request, hash: 'f'.repeat(64) };
    expect(await approve(other, 'allow_once')).toMatchObject({ status: 409 });
    expect(existsSync(join(scratch, 'bound'))).toBe(false);
    expect(await approve({ id: 'no-such-request', hash: request.hash }, 'allow_once')).toMatchObject({ status: 404 });
    expect((await approve(request, 'deny')).status).toBe(200);
    expect(await approve(request, 'allow_once')).toMatchObject({ status: 409 });
    await stream.rest();
    expect(existsSync(join(scratch, 'bound'))).toBe(false);

    expect((await json('/api/permissions', 'PUT', { approval_timeout_s: 1 })).status).toBe(200);
    openai.script([{ tool_calls: [{ id: 'h2', name: 'terminal', args: { command: `touch ${join(scratch, 'expired')}` } }] }, { text: ['gave up'] }]);
    const late = await chatStream('late');
    const expiring = (await late.until((e) => 'approval_request' in e)).approval_request;
    expect((await late.until((e) => 'approval_resolved' in e)).approval_resolved).toEqual({ id: expiring.id, decision: 'timeout' });
    const result = (await late.until((e) => 'tool_result' in e)).tool_result;
    expect(result.content).toMatch(/No answer within 1 s/);
    expect(await approve(expiring, 'allow_once')).toMatchObject({ status: 410 });
    await late.rest();
    expect(existsSync(join(scratch, 'expired'))).toBe(false);
    const audit = (await json('/api/permissions/audit?limit=1')).body;
    expect(audit[0]).toMatchObject({ decision: 'deny', decided_by: 'timeout' });
  });

  it('answers 404 for the events or the stop of an unknown conversation, and 400 without one', async () => {
    expect((await json('/api/chat/events?conversation_id=nope')).status).toBe(404);
    expect((await json('/api/chat/stop', 'POST', { conversation_id: 'nope' })).status).toBe(404);
    const missing = await json('/api/chat/stop', 'POST', {});
    expect(missing.status).toBe(400);
    expect(missing.body.issues.map((i: { path: string }) => i.path)).toEqual(['conversation_id']);
  });

  it('refuses a malformed answer with 400 naming the field', async () => {
    const bad = await json('/api/chat/approve', 'POST', { id: 'x', hash: 'short', decision: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['decision', 'hash']);
  });
});

describe('a turn that waits survives a reload', () => {
  it('lists the pending approval in the history, replays it on /api/chat/events, and takes the answer there', async () => {
    const marker = join(scratch, 'after-reload');
    openai.script([{ tool_calls: [{ id: 'r1', name: 'terminal', args: { command: `touch ${marker}` } }] }, { text: ['after the reload'] }]);
    const first = await chatStream('reload me');
    const { approval_request: request } = await first.until((e) => 'approval_request' in e);
    await first.cancel(); // the page goes away

    const history = (await json('/api/chat/history')).body;
    expect(history.running).toBe(true);
    expect(history.pending_approvals).toEqual([request]);
    expect((await json(`/api/conversations/${history.conversation.id}`)).body).toMatchObject({ running: true, pending_approvals: [request] });

    const res = await server.fetch(`/api/chat/events?conversation_id=${history.conversation.id}`);
    const again = new SseReader(res);
    expect((await again.until((e) => 'approval_request' in e)).approval_request).toEqual(request);
    expect((await approve(request, 'allow_once')).status).toBe(200);
    const rest = await again.rest();
    expect(rest.filter((e) => 'content' in e).map((e) => e.content).join('')).toBe('after the reload');
    expect(rest.at(-1)).toEqual({ done: 'true' });
    expect(existsSync(marker)).toBe(true);
    expect((await json('/api/chat/history')).body).toMatchObject({ running: false, pending_approvals: [] });
    // Nothing runs now: the events stream ends at once.
    const idle = await readSse(await server.fetch(`/api/chat/events?conversation_id=${history.conversation.id}`));
    expect(idle).toEqual([{ conversation_id: history.conversation.id }, { done: 'true' }]);
  });

  it('withdraws a waiting approval when the turn is stopped', async () => {
    openai.script([{ tool_calls: [{ id: 's1', name: 'terminal', args: { command: `touch ${join(scratch, 'stopped')}` } }] }, { text: ['never'] }]);
    const stream = await chatStream('stop me');
    const { approval_request: request } = await stream.until((e) => 'approval_request' in e);
    expect((await json('/api/chat/stop', 'POST', { conversation_id: request.conversation_id })).body).toEqual({ conversation_id: request.conversation_id, stopped: true });
    expect((await stream.until((e) => 'approval_resolved' in e)).approval_resolved).toEqual({ id: request.id, decision: 'withdrawn' });
    expect((await stream.rest()).at(-1)).toEqual({ done: 'true' });
    expect(await approve(request, 'allow_once')).toMatchObject({ status: 410 });
    expect(existsSync(join(scratch, 'stopped'))).toBe(false);
    expect((await json('/api/chat/stop', 'POST', { conversation_id: request.conversation_id })).body.stopped).toBe(false);
  });
});

describe('modes and defaults in the chat', () => {
  it('runs read-only calls without asking, and denies a write in a read-only conversation', async () => {
    writeFileSync(join(scratch, 'readable.txt'), 'hello');
    openai.script([
      { tool_calls: [{ id: 'm1', name: 'read_file', args: { path: join(scratch, 'readable.txt') } }] },
      { tool_calls: [{ id: 'm2', name: 'write_file', args: { path: join(scratch, 'read-only-write.txt'), content: 'x' } }] },
      { text: ['fine'] },
    ]);
    const res = await server.fetch('/api/chat', { method: 'POST', body: JSON.stringify({ message: 'read then write', stream: true, permission_mode: 'read-only' }) });
    const events = await readSse(res);
    expect(events.filter((e) => 'approval_request' in e)).toEqual([]);
    const results = events.filter((e) => 'tool_result' in e).map((e) => e.tool_result);
    expect(results[0]).toMatchObject({ tool_call_id: 'm1', is_error: false, content: expect.stringContaining('hello') });
    expect(results[1]).toMatchObject({ tool_call_id: 'm2', is_error: true, permission_denied: true, content: expect.stringMatching(/read-only mode/) });
    expect(existsSync(join(scratch, 'read-only-write.txt'))).toBe(false);
    expect((await json('/api/chat/history')).body.permission_mode).toBe('read-only');
  });

  it('still refuses sudo in trusted mode, with the sudo guard\'s own result', async () => {
    openai.script([{ tool_calls: [{ id: 't1', name: 'terminal', args: { command: 'ls | sudo tee /etc/atelier-x' } }] }, { text: ['no'] }]);
    const res = await server.fetch('/api/chat', { method: 'POST', body: JSON.stringify({ message: 'sudo', stream: true, permission_mode: 'trusted' }) });
    const events = await readSse(res);
    expect(events.filter((e) => 'approval_request' in e)).toEqual([]);
    expect(events.find((e) => 'tool_result' in e).tool_result).toMatchObject({ is_error: true, sudo_blocked: true });
    const checked = (await json('/api/permissions/check', 'POST', { tool: 'terminal', args: { command: 'sudo id' } })).body;
    expect(checked).toMatchObject({ decision: 'deny', decided_by: 'guard', sudo_blocked: true, suggested_rules: [] });
  });
});
