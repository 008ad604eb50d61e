import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentRuns, eventually, fakeAgent, scratchDir, testToolbox } from './fixtures.js';

/** A toolbox with fake crush and claude first on PATH, recording into `logs`. */
function setup() {
  const root = scratchDir();
  const bin = scratchDir('atelier-tools-bin-');
  const logs = scratchDir('atelier-tools-agents-');
  fakeAgent(bin, 'crush');
  fakeAgent(bin, 'claude');
  const { toolbox } = testToolbox({ root, env: { PATH: `${bin}:${process.env.PATH}`, FAKE_AGENT_DIR: logs } });
  return { root, logs, toolbox, runs: (name: string) => agentRuns(logs, name, readdirSync(logs)) };
}

describe('crush_run and claude_run', () => {
  it('runs claude in print mode with the prompt after --', async () => {
    const { root, toolbox, runs } = setup();
    const result = await toolbox.call('claude_run', { prompt: '--dangerously-skip-permissions fix the bug' });
    expect(result).toEqual({ content: 'claude did: --dangerously-skip-permissions fix the bug\n[exit code 0]', is_error: false, exit_code: 0 });
    expect(runs('claude')).toEqual([{ cwd: root, argv: ['-p', '--', '--dangerously-skip-permissions fix the bug'] }]);
  });

  it('runs crush with its non-interactive run command, quietly, in the given project', async () => {
    const { root, toolbox, runs } = setup();
    mkdirSync(join(root, 'project'));
    const result = await toolbox.call('crush_run', { prompt: 'write tests', cwd: 'project' });
    expect(result.is_error).toBe(false);
    expect(runs('crush')).toEqual([{ cwd: join(root, 'project'), argv: ['run', '--quiet', '--', 'write tests'] }]);
  });

  it('passes the scope the user approved through Claude Code\'s own flags, before the prompt', async () => {
    const { toolbox, runs, root } = setup();
    const scope = { permissionMode: 'acceptEdits' as const, allowedTools: ['Bash(git diff:*)', 'Bash(npm test)'] };
    expect(await toolbox.call('claude_run', { prompt: 'fix it' }, undefined, { agentScope: scope })).toMatchObject({ is_error: false });
    expect(runs('claude').at(-1)).toEqual({ cwd: root, argv: ['-p', '--permission-mode', 'acceptEdits', '--allowedTools', 'Bash(git diff:*)', 'Bash(npm test)', '--', 'fix it'] });
    await toolbox.call('claude_run', { prompt: 'all of it' }, undefined, { agentScope: { permissionMode: 'bypassPermissions', allowedTools: [] } });
    expect(runs('claude').at(-1)!.argv).toEqual(['-p', '--permission-mode', 'bypassPermissions', '--', 'all of it']);
  });

  it('says in crush_run\'s description that Crush approves its own tools', () => {
    const { toolbox } = setup();
    expect(toolbox.list().find((t) => t.name === 'crush_run')!.description).toMatch(/Crush approves its own tool calls/);
  });

  it('refuses the third concurrent claude_run with 429 and runs nothing for it', async () => {
    const { toolbox, runs } = setup();
    const controller = new AbortController();
    const slow = [1, 2].map((n) => toolbox.call('claude_run', { prompt: `slow task ${n}` }, controller.signal));
    expect(await eventually(() => runs('claude').length === 2)).toBe(true);
    await expect(toolbox.call('claude_run', { prompt: 'third' })).rejects.toMatchObject({ status: 429, code: 'TOO_MANY_AGENTS', retryAfterS: expect.any(Number) });
    // A crush slot is separate: 2 crush + 2 claude.
    expect(await toolbox.call('crush_run', { prompt: 'meanwhile' })).toMatchObject({ is_error: false });
    controller.abort();
    for (const result of await Promise.all(slow)) expect(result).toMatchObject({ code: 'ABORTED' });
    expect(runs('claude').map((r) => r.argv.at(-1)).sort()).toEqual(['slow task 1', 'slow task 2']);
    expect(await toolbox.call('claude_run', { prompt: 'after the others' })).toMatchObject({ is_error: false });
  });

  it('says when the agent is not installed', async () => {
    const root = scratchDir();
    const { toolbox } = testToolbox({ root, env: { PATH: scratchDir('atelier-tools-empty-') } });
    expect(await toolbox.call('crush_run', { prompt: 'x' })).toMatchObject({ is_error: true, code: 'NOT_INSTALLED', content: expect.stringContaining('crush is not installed') });
  });

  it('refuses a timeout over 1800 seconds', async () => {
    const { toolbox } = setup();
    await expect(toolbox.call('claude_run', { prompt: 'x', timeout: 1801 })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('args.timeout') });
  });
});
