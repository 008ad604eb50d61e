// Workflow steps go through the permission system (issue 16): a step the policy asks about
// waits in awaiting_approval with the reason and a preview, even when the plan did not gate it;
// a denied step fails naming the rule and runs nothing; the plan's gate still holds.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { call, createWorkflow, outputOf, statusesOf, streamed } from './fixtures.js';

let server: TestServer;
const scratch = tempDir();

const setPermissions = async (body: unknown): Promise<void> => {
  const { status, json } = await call(server, 'PUT', '/api/permissions', body);
  expect(status, JSON.stringify(json)).toBe(200);
};

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  scratch.remove();
});
beforeEach(async () => {
  await setPermissions({ mode: 'ask', rules: [] });
});

describe('workflow steps under the permission policy', () => {
  it('runs a read-only step the plan did not gate without asking', async () => {
    const wf = await createWorkflow(server, [{ title: 'look', kind: 'shell', command: 'echo looked', requires_approval: false }]);
    const events = await streamed(server, `/api/workflow/execute/${wf.id}`);
    expect(statusesOf(events, 's1')).toEqual(['running', 'done']);
    expect(outputOf(events, 's1')).toContain('looked');
  });

  it('stops at a step the default policy asks about, with the reason and the parsed commands, and runs it once approved', async () => {
    const marker = join(scratch.dir, 'touched-after-approval');
    const wf = await createWorkflow(server, [{ title: 'make a file', kind: 'shell', command: `touch ${marker}`, requires_approval: false }]);
    const first = await streamed(server, `/api/workflow/execute/${wf.id}`);
    expect(statusesOf(first, 's1')).toEqual(['awaiting_approval']);
    expect(first).toContainEqual({ status: 'awaiting_approval' });
    expect(existsSync(marker)).toBe(false);
    const waiting = (await call(server, 'GET', `/api/workflow/${wf.id}`)).json.steps[0];
    expect(waiting.approval.reason).toMatch(/needs approval/);
    expect(waiting.approval.preview).toMatchObject({ kind: 'commands', commands: [expect.objectContaining({ command: expect.stringContaining('touch'), decision: 'ask' })] });

    const second = await streamed(server, `/api/workflow/approve/${wf.id}`, { approve: true });
    expect(statusesOf(second, 's1')).toEqual(['running', 'done']);
    expect(existsSync(marker)).toBe(true);
    const done = (await call(server, 'GET', `/api/workflow/${wf.id}`)).json;
    expect(done.status).toBe('done');
    expect(done.steps[0].approval).toBeNull();
    // Both decisions are in the audit log: the ask is not an entry, the person's approval is.
    const audit = (await call(server, 'GET', `/api/permissions/audit?workflow_id=${wf.id}`)).json;
    expect(audit).toEqual([expect.objectContaining({ source: 'workflow', workflow_id: wf.id, tool: 'terminal', decision: 'allow', decided_by: 'user' })]);
  });

  it('waits at a step matched by an ask rule even though the defaults would allow it, naming the rule', async () => {
    await setPermissions({ rules: [{ tool: 'terminal', match: 'echo *', action: 'ask' }] });
    const wf = await createWorkflow(server, [{ title: 'say', kind: 'shell', command: 'echo hello', requires_approval: false }]);
    const events = await streamed(server, `/api/workflow/execute/${wf.id}`);
    expect(statusesOf(events, 's1')).toEqual(['awaiting_approval']);
    const approval = events.find((e) => e.step?.status === 'awaiting_approval').step.approval;
    expect(approval.reason).toMatch(/rule 1 .*echo \*.*asks first/);
    expect(approval.rule).toEqual({ index: 0, rule: { tool: 'terminal', match: 'echo *', action: 'ask' } });
    // Rejected: nothing ran.
    const { json } = await call(server, 'POST', `/api/workflow/approve/${wf.id}`, { approve: false, note: 'no' });
    expect(json.steps[0]).toMatchObject({ status: 'rejected', output: '' });
  });

  it('fails a step a deny rule matches, naming the rule, running nothing and skipping the rest — even one the plan gated', async () => {
    const victim = join(scratch.dir, 'must-survive');
    writeFileSync(victim, 'x');
    await setPermissions({ rules: [{ tool: 'terminal', match: 'rm *', action: 'deny' }] });
    for (const requires_approval of [false, true]) {
      const wf = await createWorkflow(server, [
        { title: 'delete', kind: 'shell', command: `rm -f -- ${victim}`, requires_approval },
        { title: 'after', kind: 'shell', command: 'echo after', requires_approval: false },
      ]);
      const events = await streamed(server, `/api/workflow/execute/${wf.id}`);
      expect(statusesOf(events, 's1')).toEqual(['failed']);
      expect(statusesOf(events, 's2')).toEqual(['skipped']);
      expect(outputOf(events, 's1')).toMatch(/Permission denied: denied by rule 1 \(terminal "rm \*" → deny\)/);
      const saved = (await call(server, 'GET', `/api/workflow/${wf.id}`)).json;
      expect(saved).toMatchObject({ status: 'failed', error: expect.stringMatching(/Step "delete" was denied: .*rm \*/) });
      expect(existsSync(victim)).toBe(true);
      const audit = (await call(server, 'GET', `/api/permissions/audit?workflow_id=${wf.id}`)).json;
      expect(audit).toEqual([expect.objectContaining({ decision: 'deny', decided_by: 'rule', rule: { tool: 'terminal', match: 'rm *', action: 'deny' } })]);
    }
  });

  it('keeps the plan gate on a step the policy allows, and says the plan asked', async () => {
    await setPermissions({ mode: 'trusted' });
    const wf = await createWorkflow(server, [{ title: 'gated read', kind: 'shell', command: 'echo gated', requires_approval: true }]);
    const events = await streamed(server, `/api/workflow/execute/${wf.id}`);
    expect(statusesOf(events, 's1')).toEqual(['awaiting_approval']);
    expect(events.find((e) => e.step?.status === 'awaiting_approval').step.approval.reason).toBe('The plan marks this step for approval');
    const second = await streamed(server, `/api/workflow/approve/${wf.id}`, { approve: true });
    expect(outputOf(second, 's1')).toContain('gated');
  });

  it('denies a writing step in read-only mode', async () => {
    await setPermissions({ mode: 'read-only' });
    const target = join(scratch.dir, 'never-written');
    const wf = await createWorkflow(server, [{ title: 'write', kind: 'tool', tool: 'write_file', args: { path: target, content: 'x' }, requires_approval: false }]);
    const events = await streamed(server, `/api/workflow/execute/${wf.id}`);
    expect(statusesOf(events, 's1')).toEqual(['failed']);
    expect(outputOf(events, 's1')).toMatch(/read-only mode/);
    expect(existsSync(target)).toBe(false);
  });
});
