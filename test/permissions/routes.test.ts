// The permission routes (issue 16): rules in the versioned config, the tester, the audit log,
// bad input refused with 400 naming the field and nothing saved, and POST /api/tool/call,
// the user's own call: deny rules apply (403, nothing run), an ask counts as the user's yes.
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

async function json(path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any }> {
  const res = await server.fetch(path, { method, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  expect((await json('/api/permissions', 'PUT', { mode: 'ask', approval_timeout_s: 600, rules: [] })).status).toBe(200);
});

describe('rules', () => {
  it('starts with the documented defaults: ask mode, 600 s, no rules; public config shows them', async () => {
    const fresh = await startTestServer();
    try {
      const res = await fresh.fetch('/api/permissions');
      expect(await res.json()).toEqual({ mode: 'ask', approval_timeout_s: 600, rules: [] });
      const config = await (await fresh.fetch('/api/config')).json();
      expect(config.permissions).toEqual({ mode: 'ask', approval_timeout_s: 600, rules: [] });
      expect(config.chat).toEqual({ detach_grace_s: 60 });
    } finally {
      await fresh.close();
    }
  });

  it('adds, replaces and deletes rules, each a config generation', async () => {
    expect((await json('/api/permissions/rules', 'POST', { tool: 'terminal', match: 'git *', action: 'allow' })).body.rules).toHaveLength(1);
    expect((await json('/api/permissions/rules', 'POST', { tool: 'mcp', match: 'mcp__github__*', action: 'ask' })).body.rules).toHaveLength(2);
    const replaced = await json('/api/permissions/rules/0', 'PUT', { tool: 'terminal', match: 'git push *', action: 'deny' });
    expect(replaced.body.rules[0]).toEqual({ tool: 'terminal', match: 'git push *', action: 'deny' });
    const deleted = await json('/api/permissions/rules/1', 'DELETE');
    expect(deleted.body.rules).toEqual([{ tool: 'terminal', match: 'git push *', action: 'deny' }]);
    const generations = JSON.stringify((await json('/api/config/generations')).body);
    expect(generations).toContain('permissions: rule added');
    expect(generations).toContain('permissions: rule 0 changed');
    expect(generations).toContain('permissions: rule 1 deleted');
    expect((await json('/api/permissions/rules/5', 'DELETE')).status).toBe(404);
    expect((await json('/api/permissions/rules/5', 'PUT', { tool: 'terminal', match: 'ls', action: 'allow' })).status).toBe(404);
  });

  it.each([
    ['an unknown rule field', { tool: 'terminal', match: 'ls', action: 'allow', when: 'always' }, 'when'],
    ['an invalid action', { tool: 'terminal', match: 'ls', action: 'maybe' }, 'action'],
    ['a rule for an unknown tool', { tool: 'rm_everything', action: 'deny' }, 'tool'],
    ['a pattern of every command', { tool: 'terminal', match: '* *', action: 'allow' }, 'match'],
    ['a pattern with shell operators', { tool: 'terminal', match: 'git status; rm *', action: 'allow' }, 'match'],
    ['a relative path glob', { tool: 'write_file', match: 'projects/**', action: 'allow' }, 'match'],
    ['a malformed mcp glob', { tool: 'mcp', match: 'github/*', action: 'allow' }, 'match'],
    ['a match on an agent rule', { tool: 'claude_run', match: 'fix *', action: 'allow' }, 'match'],
  ])('refuses %s with 400 naming the field, and saves nothing', async (_name, rule, field) => {
    expect((await json('/api/permissions/rules', 'POST', { tool: 'terminal', match: 'ls', action: 'allow' })).status).toBe(200);
    const before = (await json('/api/permissions')).body;
    const generations = (await json('/api/config/generations')).body.length;
    for (const [path, method, body] of [
      ['/api/permissions/rules', 'POST', rule],
      ['/api/permissions/rules/0', 'PUT', rule],
      ['/api/permissions', 'PUT', { rules: [rule] }],
    ] as const) {
      const answer = await json(path, method, body);
      expect(answer.status, `${method} ${path}`).toBe(400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
      expect(answer.body.issues.map((i: { path: string }) => i.path.split('.').at(-1))).toContain(field);
    }
    expect((await json('/api/permissions')).body).toEqual(before);
    expect((await json('/api/config/generations')).body.length).toBe(generations);
  });

  it('refuses an unknown settings field, a bad mode and an out-of-range timeout', async () => {
    for (const [body, field] of [
      [{ mode: 'yolo' }, 'mode'],
      [{ approval_timeout_s: 0 }, 'approval_timeout_s'],
      [{ approval_timeout_s: 'soon' }, 'approval_timeout_s'],
      [{ sudo: true }, 'sudo'],
    ] as const) {
      const answer = await json('/api/permissions', 'PUT', body);
      expect(answer.status).toBe(400);
      expect(answer.body.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
    expect((await json('/api/permissions')).body).toEqual({ mode: 'ask', approval_timeout_s: 600, rules: [] });
  });
});

describe('POST /api/permissions/check', () => {
  it('answers the decision, the rule and every command without running anything', async () => {
    await json('/api/permissions', 'PUT', { rules: [{ tool: 'terminal', match: 'git *', action: 'allow' }, { tool: 'terminal', match: 'rm *', action: 'deny' }] });
    const marker = join(homedir(), `.atelier-check-${process.pid}`);
    const checked = (await json('/api/permissions/check', 'POST', { tool: 'terminal', args: { command: `git status && touch ${marker} && rm -rf ${marker}` } })).body;
    expect(checked.decision).toBe('deny');
    expect(checked.rule).toEqual({ index: 1, rule: { tool: 'terminal', match: 'rm *', action: 'deny' } });
    expect(checked.commands.map((c: { command: string; decision: string }) => [c.command, c.decision])).toEqual([
      ['git status', 'allow'],
      [`touch ${marker}`, 'ask'],
      [`rm -rf ${marker}`, 'deny'],
    ]);
    expect(existsSync(marker)).toBe(false);
    // Deny beats allow whatever the order.
    await json('/api/permissions', 'PUT', { rules: [{ tool: 'terminal', match: 'rm *', action: 'deny' }, { tool: 'terminal', match: 'rm -rf *', action: 'allow' }] });
    expect((await json('/api/permissions/check', 'POST', { tool: 'terminal', args: { command: 'rm -rf build' } })).body.decision).toBe('deny');
    const badTool = await json('/api/permissions/check', 'POST', { args: {} });
    expect(badTool.status).toBe(400);
  });
});

describe('POST /api/tool/call: the user\'s own call', () => {
  const marker = join(homedir(), `.atelier-tool-call-${process.pid}`);
  afterAll(() => rmSync(marker, { force: true }));

  it('runs a call the policy would ask about (the user asked), and records it as theirs', async () => {
    const ran = await json('/api/tool/call', 'POST', { name: 'terminal', args: { command: `touch ${marker}` } });
    expect(ran.status).toBe(200);
    expect(ran.body.is_error).toBe(false);
    expect(existsSync(marker)).toBe(true);
    const audit = (await json('/api/permissions/audit?limit=1')).body;
    expect(audit[0]).toMatchObject({ source: 'tool_call', tool: 'terminal', decision: 'allow', decided_by: 'user' });
  });

  it('refuses a call a deny rule matches with 403 PERMISSION_DENIED, running nothing', async () => {
    await json('/api/permissions', 'PUT', { rules: [{ tool: 'terminal', match: 'rm *', action: 'deny' }] });
    const refused = await json('/api/tool/call', 'POST', { name: 'terminal', args: { command: `/bin/rm -f ${marker}` } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'PERMISSION_DENIED', error: expect.stringMatching(/rm \*/) });
    expect(existsSync(marker)).toBe(true);
    // Still the toolbox's answers for a call that could not run.
    expect((await json('/api/tool/call', 'POST', { name: 'nope', args: {} })).status).toBe(404);
    expect((await json('/api/tool/call', 'POST', { name: 'terminal', args: { command: 'ls', extra: 1 } })).status).toBe(400);
    // And the sudo guard's own refusal for sudo.
    const sudo = await json('/api/tool/call', 'POST', { name: 'terminal', args: { command: 'sudo id' } });
    expect(sudo.body).toMatchObject({ is_error: true, sudo_blocked: true });
  });
});
