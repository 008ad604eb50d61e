import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { LookupEnv } from '../../server/src/system/which.js';
import { kernelGuardApplies, withoutNewPrivileges } from '../../server/src/tools/no-new-privs.js';
import { fakeAgent, scratchDir, testToolbox } from './fixtures.js';

// A machine without util-linux, simulated: the PATH lookup misses setpriv while `missing.setpriv` holds.
// The module keeps setpriv once found, so the tests that need it missing come before any that finds it.
const missing = vi.hoisted(() => ({ setpriv: false }));
vi.mock('../../server/src/system/which.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/src/system/which.js')>();
  return {
    ...real,
    findExecutable: (names: readonly string[], env?: LookupEnv, platform?: NodeJS.Platform) =>
      missing.setpriv && names.includes('setpriv') ? Promise.resolve(null) : real.findExecutable(names, env, platform),
  };
});

describe('the kernel guard (no-new-privs.ts)', () => {
  it('applies on Linux with sudo_bypass off, and nowhere else', () => {
    expect(kernelGuardApplies(false, 'linux')).toBe(true);
    expect(kernelGuardApplies(true, 'linux')).toBe(false);
    expect(kernelGuardApplies(false, 'darwin')).toBe(false);
    expect(kernelGuardApplies(false, 'win32')).toBe(false);
  });

  it('fails closed without setpriv: the terminal tool answers GUARD_UNAVAILABLE and runs nothing', async () => {
    const root = scratchDir();
    const { toolbox } = testToolbox({ root });
    missing.setpriv = true;
    try {
      const result = await toolbox.call('terminal', { command: 'touch ran' });
      expect(result).toMatchObject({ is_error: true, code: 'GUARD_UNAVAILABLE' });
      expect(result.content).toMatch(/util-linux/);
      expect(existsSync(join(root, 'ran'))).toBe(false);
    } finally {
      missing.setpriv = false;
    }
  });

  it('fails closed for the agents too: claude_run answers GUARD_UNAVAILABLE and the agent never starts', async () => {
    const root = scratchDir();
    const bin = scratchDir('atelier-tools-bin-');
    const logs = scratchDir('atelier-tools-agents-');
    fakeAgent(bin, 'claude');
    const { toolbox } = testToolbox({ root, env: { PATH: `${bin}:${process.env.PATH}`, FAKE_AGENT_DIR: logs } });
    missing.setpriv = true;
    try {
      expect(await toolbox.call('claude_run', { prompt: 'fix it' })).toMatchObject({ is_error: true, code: 'GUARD_UNAVAILABLE' });
      expect(readdirSync(logs)).toEqual([]);
    } finally {
      missing.setpriv = false;
    }
  });

  it('needs no setpriv with sudo_bypass on: the command runs as before', async () => {
    const root = scratchDir();
    const { toolbox } = testToolbox({ root, sudoBypass: true });
    missing.setpriv = true;
    try {
      expect(await toolbox.call('terminal', { command: 'touch ran' })).toMatchObject({ is_error: false, exit_code: 0 });
      expect(existsSync(join(root, 'ran'))).toBe(true);
    } finally {
      missing.setpriv = false;
    }
  });

  it('looks setpriv up again after a miss, so installing util-linux needs no restart', async () => {
    missing.setpriv = true;
    await expect(withoutNewPrivileges({ file: '/bin/sh', args: ['-c', 'true'] }, false)).rejects.toMatchObject({ code: 'GUARD_UNAVAILABLE' });
    missing.setpriv = false;
    const wrapped = await withoutNewPrivileges({ file: '/bin/sh', args: ['-c', 'true'] }, false);
    expect(wrapped).toEqual({ file: expect.stringMatching(/\/setpriv$/), args: ['--no-new-privs', '--', '/bin/sh', '-c', 'true'] });
  });
});
