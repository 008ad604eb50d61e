import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOOL_OUTPUT_MAX_BYTES } from '../../server/src/limits.js';
import { eventually, fakeSudo, isAlive, pidFrom, scratchDir, testToolbox } from './fixtures.js';

/** A toolbox whose root is a fresh directory, with a fake sudo first on PATH. */
function setup(opts: { sudoBypass?: boolean } = {}) {
  const root = scratchDir();
  const bin = scratchDir('atelier-tools-bin-');
  fakeSudo(bin);
  const { toolbox } = testToolbox({ root, sudoBypass: opts.sudoBypass, env: { PATH: `${bin}:${process.env.PATH}`, SUDO_MARKER_DIR: root } });
  return { root, toolbox };
}

describe('terminal tool', () => {
  it('returns the output and a zero exit code', async () => {
    const { toolbox } = setup();
    const result = await toolbox.call('terminal', { command: 'echo hello; echo world' });
    expect(result).toEqual({ content: 'hello\nworld\n[exit code 0]', is_error: false, exit_code: 0 });
  });

  it('interleaves stdout and stderr in the order they were written', async () => {
    const { toolbox } = setup();
    const result = await toolbox.call('terminal', { command: 'echo one; echo two >&2; echo three; echo four >&2' });
    expect(result.content).toBe('one\ntwo\nthree\nfour\n[exit code 0]');
  });

  it('reports a non-zero exit code as an error', async () => {
    const { toolbox } = setup();
    const result = await toolbox.call('terminal', { command: 'echo failing; exit 3' });
    expect(result).toEqual({ content: 'failing\n[exit code 3]', is_error: true, code: 'COMMAND_FAILED', exit_code: 3 });
  });

  it('runs in the home directory unless given a cwd inside it', async () => {
    const { root, toolbox } = setup();
    mkdirSync(join(root, 'project'));
    expect((await toolbox.call('terminal', { command: 'pwd' })).content).toBe(`${root}\n[exit code 0]`);
    expect((await toolbox.call('terminal', { command: 'pwd', cwd: 'project' })).content).toBe(`${join(root, 'project')}\n[exit code 0]`);
  });

  it('refuses a cwd outside the home directory, even through a symlink', async () => {
    const { root, toolbox } = setup();
    symlinkSync('/tmp', join(root, 'escape'));
    for (const cwd of ['/tmp', 'escape', '..']) {
      expect(await toolbox.call('terminal', { command: 'pwd', cwd })).toMatchObject({ is_error: true, code: 'PATH_OUTSIDE_ROOT' });
    }
  });

  it('cuts the middle of huge output and says so', async () => {
    const { toolbox } = setup();
    const result = await toolbox.call('terminal', { command: 'echo FIRST; head -c 300000 /dev/zero | tr "\\0" x; echo; echo LAST' });
    expect(result.content.startsWith('FIRST\n')).toBe(true);
    expect(result.content).toContain('LAST\n[output was');
    expect(result.content).toMatch(/of output omitted/);
    expect(Buffer.byteLength(result.content)).toBeLessThan(TOOL_OUTPUT_MAX_BYTES + 1024);
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const { root, toolbox } = setup();
    const started = Date.now();
    const result = await toolbox.call('terminal', { command: 'sleep 30 & echo $! > grandchild.pid; echo $$ > shell.pid; wait', timeout: 1 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result).toMatchObject({ is_error: true, code: 'TIMED_OUT', content: expect.stringContaining('timed out after 1 s') });
    const shell = await pidFrom(join(root, 'shell.pid'));
    const grandchild = await pidFrom(join(root, 'grandchild.pid'));
    expect(await eventually(() => !isAlive(shell) && !isAlive(grandchild))).toBe(true);
  });

  it('kills the whole process group when the caller aborts', async () => {
    const { root, toolbox } = setup();
    const controller = new AbortController();
    const pending = toolbox.call('terminal', { command: 'sleep 30 & echo $! > grandchild.pid; wait' }, controller.signal);
    const grandchild = await pidFrom(join(root, 'grandchild.pid'));
    expect(isAlive(grandchild)).toBe(true);
    controller.abort();
    expect(await pending).toMatchObject({ is_error: true, code: 'ABORTED' });
    expect(await eventually(() => !isAlive(grandchild))).toBe(true);
  });

  it('refuses a timeout of 301 seconds, naming the field', async () => {
    const { toolbox } = setup();
    await expect(toolbox.call('terminal', { command: 'true', timeout: 301 })).rejects.toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('args.timeout') });
  });

  it('does not run a command the sudo guard blocks, not even its harmless part', async () => {
    const { root, toolbox } = setup();
    const result = await toolbox.call('terminal', { command: 'touch ran-before; sudo touch ran-under-sudo' });
    expect(result).toMatchObject({ is_error: true, sudo_blocked: true, code: 'SUDO_BLOCKED', content: expect.stringContaining('would run sudo') });
    for (const marker of ['ran-before', 'ran-under-sudo', 'sudo-ran']) expect(existsSync(join(root, marker)), marker).toBe(false);
  });

  it('does not run a command it cannot parse', async () => {
    const { root, toolbox } = setup();
    const result = await toolbox.call('terminal', { command: 'touch ran; echo "unterminated' });
    expect(result).toMatchObject({ is_error: true, sudo_blocked: true, content: expect.stringContaining('not valid shell syntax') });
    expect(existsSync(join(root, 'ran'))).toBe(false);
  });

  it('lets sudo through when sudo_bypass is on in the profile', async () => {
    const { root, toolbox } = setup({ sudoBypass: true });
    const result = await toolbox.call('terminal', { command: 'sudo touch ran-under-sudo && echo done' });
    expect(result).toEqual({ content: 'done\n[exit code 0]', is_error: false, exit_code: 0 });
    expect(existsSync(join(root, 'sudo-ran'))).toBe(true);
    expect(existsSync(join(root, 'ran-under-sudo'))).toBe(true);
  });
});
