// Workflow runs against real shell steps: streaming, approval gates, rejection, failures,
// timeouts, the sudo guard, re-subscription and the 404/409 answers of SPEC §7 "Workflows".
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { readSse } from '../helpers/sse.js';
import { tempDir } from '../helpers/temp.js';
import { call, createWorkflow, outputOf, statusesOf, streamed } from './fixtures.js';

let server: TestServer;
const scratch = tempDir();

beforeAll(async () => {
  server = await startTestServer();
  // These tests are about runs and the plan's gates; test/workflow/permissions.test.ts covers
  // the policy. Trusted mode lets every step through it (the plan's gates and the sudo guard still hold).
  expect((await server.fetch('/api/permissions', { method: 'PUT', body: JSON.stringify({ mode: 'trusted' }) })).status).toBe(200);
});
afterAll(async () => {
  await server.close();
  scratch.remove();
});

describe('creating and editing', () => {
  it('saves a draft whose steps start pending, and lists it', async () => {
    const wf = await createWorkflow(server, [{ title: 'Say hi', kind: 'shell', command: 'echo hi' }], 'listed one');
    expect(wf).toMatchObject({ status: 'draft', title: 'listed one', goal: 'test', runs: [] });
    expect(wf.steps).toEqual([expect.objectContaining({ id: 's1', kind: 'shell', command: 'echo hi', status: 'pending', requires_approval: false, risky: false, output: '' })]);
    const { json } = await call(server, 'GET', '/api/workflow/list');
    expect(json.workflows[0]).toMatchObject({ id: wf.id, title: 'listed one', steps: 1, steps_done: 0, status: 'draft' });
  });

  it('gates risky steps by default and keeps an explicit choice', async () => {
    const wf = await createWorkflow(server, [
      { title: 'inspect', kind: 'shell', command: 'ls -la' },
      { title: 'delete', kind: 'shell', command: 'rm -rf build' },
      { title: 'agent', kind: 'agent', agent: 'claude', prompt: 'fix it' },
      { title: 'write, approved off', kind: 'tool', tool: 'write_file', args: { path: 'x', content: 'y' }, requires_approval: false },
    ]);
    expect(wf.steps.map((s: any) => [s.requires_approval, s.risky])).toEqual([
      [false, false],
      [true, true],
      [true, true],
      [false, true],
    ]);
  });

  it('refuses steps missing what their kind needs, naming the field, and saves nothing', async () => {
    const before = (await call(server, 'GET', '/api/workflow/list')).json.workflows.length;
    const bad = [
      { title: 'x', steps: [{ title: 'no command', kind: 'shell' }] },
      { title: 'x', steps: [{ title: 'agent', kind: 'agent', agent: 'vim', prompt: 'p' }] },
      { title: 'x', steps: [] },
      { title: 'x', steps: [{ title: 'y', kind: 'shell', command: 'ls', extra: 1 }] },
      { title: '', steps: [{ title: 'y', kind: 'shell', command: 'ls' }] },
    ];
    const paths = [];
    for (const body of bad) {
      const { status, json } = await call(server, 'POST', '/api/workflow', body);
      expect(status).toBe(400);
      expect(json.code).toBe('VALIDATION_FAILED');
      paths.push(json.issues.map((i: any) => i.path).join(','));
    }
    expect(paths).toEqual(['steps.0.command', 'steps.0.agent', 'steps', 'steps.0.extra', 'title']);
    expect((await call(server, 'GET', '/api/workflow/list')).json.workflows.length).toBe(before);
  });

  it('replaces the steps of a draft, and answers 404 for an unknown id', async () => {
    const wf = await createWorkflow(server, [{ title: 'a', kind: 'shell', command: 'echo a' }]);
    const { status, json } = await call(server, 'PUT', `/api/workflow/${wf.id}`, { title: 'renamed', steps: [{ title: 'b', kind: 'shell', command: 'echo b' }, { title: 'c', kind: 'prompt', prompt: 'why?' }] });
    expect(status).toBe(200);
    expect(json.title).toBe('renamed');
    expect(json.steps.map((s: any) => s.title)).toEqual(['b', 'c']);
    expect((await call(server, 'GET', '/api/workflow/nope')).status).toBe(404);
    expect((await call(server, 'PUT', '/api/workflow/nope', { title: 'x', steps: [{ title: 'b', kind: 'shell', command: 'echo b' }] })).status).toBe(404);
    expect((await call(server, 'DELETE', '/api/workflow/nope')).status).toBe(404);
    // Refused before its stream opens: a plain 404, not a 200 stream ending in an error event.
    const events = await server.fetch('/api/workflow/nope/events');
    expect(events.status).toBe(404);
    expect(events.headers.get('content-type')).toMatch(/application\/json/);
  });
});

describe('running', () => {
  it('streams each step: a snapshot, running, its output as it comes, done, then the workflow done', async () => {
    const wf = await createWorkflow(server, [
      { title: 'one', kind: 'shell', command: 'echo first; echo second >&2' },
      { title: 'two', kind: 'shell', command: 'printf "%s\\n" "$((6 * 7))"' },
    ]);
    const events = await streamed(server, `/api/workflow/execute/${wf.id}`);
    expect(events[0].workflow).toMatchObject({ id: wf.id, status: 'running' });
    expect(statusesOf(events, 's1')).toEqual(['running', 'done']);
    expect(statusesOf(events, 's2')).toEqual(['running', 'done']);
    expect(outputOf(events, 's1')).toBe('first\nsecond\n[exit code 0]');
    expect(outputOf(events, 's2')).toContain('42\n');
    expect(events.slice(-2)).toEqual([{ status: 'done' }, { done: 'true' }]);
    const saved = (await call(server, 'GET', `/api/workflow/${wf.id}`)).json;
    expect(saved.status).toBe('done');
    expect(saved.steps[0]).toMatchObject({ status: 'done', exit_code: 0, output: 'first\nsecond\n[exit code 0]', started_at: expect.any(String), finished_at: expect.any(String) });
    expect(saved.runs).toEqual([expect.objectContaining({ status: 'done', finished_at: expect.any(String) })]);
  });

  it('answers JSON when the run stops without ?stream', async () => {
    const wf = await createWorkflow(server, [{ title: 'one', kind: 'shell', command: 'echo json-mode' }]);
    const { status, json } = await call(server, 'POST', `/api/workflow/execute/${wf.id}`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ status: 'done', steps: [expect.objectContaining({ status: 'done', output: expect.stringContaining('json-mode') })] });
  });

  it('stops at a gated step, runs it once approved with the note kept, and finishes', async () => {
    const marker = join(scratch.dir, 'gated-ran');
    const wf = await createWorkflow(server, [
      { title: 'look', kind: 'shell', command: 'echo looked' },
      { title: 'touch', kind: 'shell', command: `touch ${marker} && echo gated-output`, requires_approval: true },
      { title: 'after', kind: 'shell', command: 'echo after' },
    ]);
    const first = await streamed(server, `/api/workflow/execute/${wf.id}`);
    expect(statusesOf(first, 's1')).toEqual(['running', 'done']);
    expect(statusesOf(first, 's2')).toEqual(['awaiting_approval']);
    expect(first.slice(-2)).toEqual([{ status: 'awaiting_approval' }, { done: 'true' }]);
    expect(existsSync(marker)).toBe(false);

    const second = await streamed(server, `/api/workflow/approve/${wf.id}`, { approve: true, note: 'looks safe' });
    expect(second[0].workflow.steps[1]).toMatchObject({ status: 'pending', note: 'looks safe' });
    expect(statusesOf(second, 's2')).toEqual(['running', 'done']);
    expect(outputOf(second, 's2')).toContain('gated-output');
    expect(statusesOf(second, 's3')).toEqual(['running', 'done']);
    expect(existsSync(marker)).toBe(true);
    const saved = (await call(server, 'GET', `/api/workflow/${wf.id}`)).json;
    expect(saved).toMatchObject({ status: 'done', runs: [expect.objectContaining({ status: 'done' })] });
    expect(saved.steps[1].note).toBe('looks safe');
  });

  it('rejecting marks the step rejected with the note, skips the rest and runs nothing', async () => {
    const marker = join(scratch.dir, 'rejected-ran');
    const wf = await createWorkflow(server, [
      { title: 'gated', kind: 'shell', command: `touch ${marker}`, requires_approval: true },
      { title: 'after', kind: 'shell', command: `touch ${marker}` },
    ]);
    await call(server, 'POST', `/api/workflow/execute/${wf.id}`);
    const { status, json } = await call(server, 'POST', `/api/workflow/approve/${wf.id}`, { approve: false, note: 'not today' });
    expect(status).toBe(200);
    expect(json.status).toBe('rejected');
    expect(json.steps.map((s: any) => s.status)).toEqual(['rejected', 'skipped']);
    expect(json.steps[0].note).toBe('not today');
    expect(existsSync(marker)).toBe(false);
    // Nothing waits any more.
    expect((await call(server, 'POST', `/api/workflow/approve/${wf.id}`, { approve: true })).json.code).toBe('NOTHING_TO_APPROVE');
  });

  it('a step that exits non-zero fails with its output kept, and later steps do not run', async () => {
    const marker = join(scratch.dir, 'after-failure');
    const wf = await createWorkflow(server, [
      { title: 'fails', kind: 'shell', command: 'echo partial; exit 3' },
      { title: 'later', kind: 'shell', command: `touch ${marker}` },
    ]);
    const events = await streamed(server, `/api/workflow/execute/${wf.id}`);
    expect(statusesOf(events, 's1')).toEqual(['running', 'failed']);
    expect(statusesOf(events, 's2')).toEqual(['skipped']);
    expect(events).toContainEqual({ error: 'Step "fails" failed' });
    const saved = (await call(server, 'GET', `/api/workflow/${wf.id}`)).json;
    expect(saved).toMatchObject({ status: 'failed', error: 'Step "fails" failed' });
    expect(saved.steps[0]).toMatchObject({ status: 'failed', exit_code: 3, output: 'partial\n[exit code 3]' });
    expect(existsSync(marker)).toBe(false);
  });

  it('a step that times out is killed and fails with its output kept', async () => {
    const wf = await createWorkflow(server, [
      { title: 'slow', kind: 'shell', command: 'echo started; sleep 30', args: { timeout: 1 } },
      { title: 'later', kind: 'shell', command: 'echo never' },
    ]);
    const started = Date.now();
    const { json } = await call(server, 'POST', `/api/workflow/execute/${wf.id}`);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(json.status).toBe('failed');
    expect(json.steps[0].status).toBe('failed');
    expect(json.steps[0].output).toMatch(/^started\n\[timed out after 1 s/);
    expect(json.steps[1].status).toBe('skipped');
  });

  it('blocks a sudo step as the chat does: failed, sudo_blocked, nothing run', async () => {
    const marker = join(scratch.dir, 'sudo-ran');
    const wf = await createWorkflow(server, [{ title: 'root', kind: 'shell', command: `touch ${marker} && echo x | sudo tee /etc/x`, requires_approval: false }]);
    const events = await streamed(server, `/api/workflow/execute/${wf.id}`);
    expect(events.find((e) => e.step?.status === 'failed').step).toMatchObject({ id: 's1', sudo_blocked: true });
    expect(outputOf(events, 's1')).toMatch(/sudo/);
    const saved = (await call(server, 'GET', `/api/workflow/${wf.id}`)).json;
    expect(saved.steps[0]).toMatchObject({ status: 'failed', sudo_blocked: true });
    expect(saved.error).toMatch(/sudo/);
    expect(existsSync(marker)).toBe(false);
  });

  it('runs tool steps through the toolbox, and fails one whose arguments break its schema', async () => {
    const wf = await createWorkflow(server, [
      { title: 'list', kind: 'tool', tool: 'list_dir', args: { path: '.' } },
      { title: 'bad', kind: 'tool', tool: 'read_file', args: { nope: 1 } },
    ]);
    const { json } = await call(server, 'POST', `/api/workflow/execute/${wf.id}`);
    expect(json.steps[0].status).toBe('done');
    expect(json.steps[1]).toMatchObject({ status: 'failed', output: expect.stringMatching(/Invalid arguments for read_file.*VALIDATION_FAILED/s) });
  });

  it('answers 404 for an unknown id and 409 for a run already under way', async () => {
    expect((await call(server, 'POST', '/api/workflow/execute/unknown')).status).toBe(404);
    const wf = await createWorkflow(server, [{ title: 'slow', kind: 'shell', command: 'sleep 1; echo slept' }]);
    const running = server.fetch(`/api/workflow/execute/${wf.id}`, { method: 'POST', body: '{}' });
    await new Promise((r) => setTimeout(r, 200));
    const again = await call(server, 'POST', `/api/workflow/execute/${wf.id}`);
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('WORKFLOW_BUSY');
    expect((await call(server, 'PUT', `/api/workflow/${wf.id}`, { title: 'x', steps: [{ title: 'b', kind: 'shell', command: 'echo b' }] })).status).toBe(409);
    expect((await call(server, 'DELETE', `/api/workflow/${wf.id}`)).status).toBe(409);
    expect((await (await running).json()).status).toBe('done');
  });

  it('answers 409 to an approval when nothing waits, and lets exactly one of two concurrent approvals win', async () => {
    const idle = await createWorkflow(server, [{ title: 'a', kind: 'shell', command: 'echo a' }]);
    expect((await call(server, 'POST', `/api/workflow/approve/${idle.id}`, { approve: true })).status).toBe(409);
    const marker = join(scratch.dir, 'count');
    const wf = await createWorkflow(server, [{ title: 'gated', kind: 'shell', command: `echo x >> ${marker}`, requires_approval: true }]);
    await call(server, 'POST', `/api/workflow/execute/${wf.id}`);
    const [a, b] = await Promise.all([
      call(server, 'POST', `/api/workflow/approve/${wf.id}`, { approve: true }),
      call(server, 'POST', `/api/workflow/approve/${wf.id}`, { approve: true }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.status === 409)!.json.code).toBe('NOTHING_TO_APPROVE');
    expect((await call(server, 'GET', `/api/workflow/${wf.id}`)).json.status).toBe('done');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(marker, 'utf8')).toBe('x\n');
  });

  it('lets a client re-subscribe mid-run: the snapshot holds the output so far, then live events follow', async () => {
    const wf = await createWorkflow(server, [{ title: 'slow', kind: 'shell', command: 'echo early; sleep 1; echo late' }]);
    const run = server.fetch(`/api/workflow/execute/${wf.id}`, { method: 'POST', body: '{}' });
    await new Promise((r) => setTimeout(r, 500));
    const events = await readSse(await server.fetch(`/api/workflow/${wf.id}/events`));
    expect(events[0].workflow.steps[0]).toMatchObject({ status: 'running', output: 'early\n' });
    expect(outputOf(events, 's1')).toBe('late\n[exit code 0]');
    expect(events.slice(-2)).toEqual([{ status: 'done' }, { done: 'true' }]);
    await run;
    // A finished workflow: the snapshot, then done.
    const after = await readSse(await server.fetch(`/api/workflow/${wf.id}/events`));
    expect(after).toEqual([{ workflow: expect.objectContaining({ status: 'done' }) }, { done: 'true' }]);
  });

  it('keeps running when the streaming client goes away', async () => {
    const marker = join(scratch.dir, 'survived');
    const wf = await createWorkflow(server, [{ title: 'slow', kind: 'shell', command: `sleep 0.5; touch ${marker}`, requires_approval: false }]);
    const abort = new AbortController();
    const res = await server.fetch(`/api/workflow/execute/${wf.id}?stream=true`, { method: 'POST', body: '{}', signal: abort.signal });
    expect(res.status).toBe(200);
    abort.abort();
    await readSse(await server.fetch(`/api/workflow/${wf.id}/events`));
    expect((await call(server, 'GET', `/api/workflow/${wf.id}`)).json.status).toBe('done');
    expect(existsSync(marker)).toBe(true);
  });
});
