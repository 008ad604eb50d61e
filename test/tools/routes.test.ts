import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolInfo, ToolResult } from '../../server/src/wire/tools.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { agentRuns, eventually, fakeAgent, fakeSudo, isAlive, pidFrom } from './fixtures.js';

// The server's file tools work inside the home directory: this file gives the server a home of its own.
const home = tempDir('atelier-tools-home-');
const bin = tempDir('atelier-tools-bin-');
const logs = tempDir('atelier-tools-agents-');
const saved = { HOME: process.env.HOME, PATH: process.env.PATH };
let server: TestServer;
let homeDir: string;

beforeAll(async () => {
  homeDir = realpathSync(home.dir);
  fakeSudo(bin.dir);
  fakeAgent(bin.dir, 'claude');
  Object.assign(process.env, { HOME: homeDir, PATH: `${bin.dir}:${saved.PATH}`, FAKE_AGENT_DIR: logs.dir, SUDO_MARKER_DIR: homeDir });
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  Object.assign(process.env, saved);
  for (const t of [home, bin, logs]) t.remove();
});

const call = (name: string, args: Record<string, unknown>, init: RequestInit = {}) =>
  server.fetch('/api/tool/call', { method: 'POST', body: JSON.stringify({ name, args }), ...init });

describe('tools API', () => {
  it('lists every tool with the JSON schema of its arguments', async () => {
    const res = await server.fetch('/api/tools/list');
    expect(res.status).toBe(200);
    const tools = (await res.json()) as ToolInfo[];
    expect(tools.map((t) => t.name)).toEqual(['terminal', 'read_file', 'write_file', 'list_dir', 'search_files', 'crush_run', 'claude_run']);
    const terminal = tools.find((t) => t.name === 'terminal')!;
    expect(terminal.parameters).toMatchObject({
      type: 'object',
      required: ['command'],
      additionalProperties: false,
      properties: { command: { type: 'string' }, timeout: { type: 'number', maximum: 300, default: 60 } },
    });
    expect(terminal.parameters).not.toHaveProperty('$schema');
    for (const tool of tools) expect(tool.description.length, tool.name).toBeGreaterThan(20);
  });

  it('documents both routes in the OpenAPI document under the tools tag', async () => {
    const doc = (await (await server.fetch('/api/openapi.json')).json()) as { paths: Record<string, Record<string, { tags?: string[] }>> };
    expect(doc.paths['/api/tools/list']?.get?.tags).toEqual(['tools']);
    expect(doc.paths['/api/tool/call']?.post?.tags).toEqual(['tools']);
  });

  it('runs a tool and answers its result', async () => {
    const res = await call('terminal', { command: 'echo "$HOME"' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ content: `${homeDir}\n[exit code 0]`, is_error: false, exit_code: 0 });
  });

  it('answers 404 UNKNOWN_TOOL for a tool that does not exist', async () => {
    const res = await call('rm_rf', {});
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'UNKNOWN_TOOL', error: expect.stringContaining('terminal') });
  });

  it('answers 400 VALIDATION_FAILED naming the argument at fault', async () => {
    const res = await call('terminal', { command: 'true', timeout: 301 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; error: string; issues: { path: string }[] };
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.issues.map((i) => i.path)).toEqual(['args.timeout']);
    const missing = await call('read_file', { offset: 2 });
    expect(((await missing.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['args.path']);
    const extra = await call('list_dir', { path: '.', recursive: true });
    expect(((await extra.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['args.recursive']);
  });

  it('answers a sudo command with sudo_blocked and runs nothing', async () => {
    const res = await call('terminal', { command: 'touch before && ls | sudo tee after' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ is_error: true, sudo_blocked: true, content: expect.stringContaining('would run sudo') });
    expect(readdirSync(homeDir).filter((f) => ['before', 'after', 'sudo-ran'].includes(f))).toEqual([]);
  });

  it('lets sudo run once the profile turns sudo_bypass on', async () => {
    await server.fetch('/api/config/profile', { method: 'PUT', body: JSON.stringify({ sudo_bypass: true }) });
    try {
      const result = (await (await call('terminal', { command: 'sudo true && echo ok' })).json()) as ToolResult;
      expect(result).toEqual({ content: 'ok\n[exit code 0]', is_error: false, exit_code: 0 });
      expect(existsSync(join(homeDir, 'sudo-ran'))).toBe(true);
    } finally {
      await server.fetch('/api/config/profile', { method: 'PUT', body: JSON.stringify({ sudo_bypass: false }) });
    }
  });

  it('keeps file tools inside the home directory', async () => {
    mkdirSync(join(homeDir, 'docs'), { recursive: true });
    writeFileSync(join(homeDir, 'docs', 'a.md'), 'hello\n');
    expect(await (await call('read_file', { path: '~/docs/a.md' })).json()).toEqual({ content: 'hello', is_error: false });
    expect(await (await call('read_file', { path: '/etc/hostname' })).json()).toMatchObject({ is_error: true, code: 'PATH_OUTSIDE_ROOT' });
  });

  it('aborts the tool and kills what it started when the client disconnects', async () => {
    const controller = new AbortController();
    const pending = call('terminal', { command: 'sleep 30 & echo $! > http-grandchild.pid; wait' }, { signal: controller.signal }).catch(() => 'aborted');
    const pid = await pidFrom(join(homeDir, 'http-grandchild.pid'));
    expect(isAlive(pid)).toBe(true);
    controller.abort();
    expect(await pending).toBe('aborted');
    expect(await eventually(() => !isAlive(pid))).toBe(true);
  });

  it('answers 429 TOO_MANY_AGENTS with Retry-After for a third concurrent claude_run', async () => {
    const controller = new AbortController();
    const slow = [1, 2].map((n) => call('claude_run', { prompt: `slow http ${n}` }, { signal: controller.signal }).catch(() => null));
    const runs = () => agentRuns(logs.dir, 'claude', readdirSync(logs.dir));
    expect(await eventually(() => runs().length === 2)).toBe(true);
    const third = await call('claude_run', { prompt: 'third over http' });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await third.json()).toMatchObject({ code: 'TOO_MANY_AGENTS' });
    expect(runs()).toHaveLength(2);
    controller.abort();
    await Promise.all(slow);
    // The disconnects free both slots as soon as the server notices them.
    let after = await call('claude_run', { prompt: 'after' });
    for (let tries = 0; after.status === 429 && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await call('claude_run', { prompt: 'after' });
    }
    expect(await after.json()).toMatchObject({ is_error: false, content: expect.stringContaining('claude did: after') });
  });
});
