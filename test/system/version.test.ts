import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractVersion, runVersionCommand } from '../../server/src/system/version.js';
import { eventually, fakeTool, isAlive, scratchDir } from './fixtures.js';

describe('version extraction', () => {
  it.each([
    ['v20.20.2\n', '20.20.2'],
    ['git version 2.39.2\n', '2.39.2'],
    ['Docker version 24.0.5, build ced0996\n', '24.0.5'],
    ['tmux 3.3a\n', '3.3a'],
    ['OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15 3 Sep 2024\n', '9.2p1'],
    ['v3.13.1+g3547a4b\n', '3.13.1+g3547a4b'],
    ['GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)\n', '5.2.15'],
    ['jq-1.7.1\n', '1.7.1'],
  ])('reads the first dotted version in %j', (output, version) => {
    expect(extractVersion(output)).toBe(version);
  });

  it('uses group 1 of a tool pattern', () => {
    expect(extractVersion('openjdk version "17.0.8" 2023-07-18\n', /version "([^"]+)"/)).toBe('17.0.8');
  });

  it('falls back to the default when a tool pattern does not match', () => {
    expect(extractVersion('Apple clang version 15.0.0 (clang-1500.3.9.4)\n', /\)\s+(\d+\.\d+\.\d+)/)).toBe('15.0.0');
  });

  it('ignores colour escape codes around the number', () => {
    expect(extractVersion('\u001b[1mtool\u001b[0m \u001b[32m1.2.3\u001b[0m')).toBe('1.2.3');
  });

  it('returns null when the output holds no version', () => {
    expect(extractVersion('usage: tool [options]\n')).toBeNull();
  });
});

describe('version command', () => {
  it('captures what the command prints on stderr', async () => {
    const tool = fakeTool(scratchDir(), 'stderrtool', 'echo "tool version 4.5.6" >&2');
    const run = await runVersionCommand(tool, ['--version']);
    expect(run).toMatchObject({ exitCode: 0, timedOut: false, spawnError: null });
    expect(run.output).toContain('4.5.6');
  });

  it('passes arguments without a shell interpreting them', async () => {
    const tool = fakeTool(scratchDir(), 'echoargs', 'printf "%s|" "$@"');
    const run = await runVersionCommand(tool, ['$HOME', '; rm -rf /', '*']);
    expect(run.output).toBe('$HOME|; rm -rf /|*|');
  });

  it('kills the whole process group of a command that outlives its timeout', async () => {
    const dir = scratchDir();
    const tool = fakeTool(dir, 'slowtool', `echo $$ > ${dir}/sh.pid\nsleep 30 &\necho $! > ${dir}/sleep.pid\nwait`);
    const started = Date.now();
    const run = await runVersionCommand(tool, [], { timeoutMs: 300 });
    expect(run.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    const pids = ['sh.pid', 'sleep.pid'].map((f) => Number(readFileSync(join(dir, f), 'utf8')));
    expect(await eventually(() => pids.every((pid) => !isAlive(pid)))).toBe(true);
  });

  it('reports a command that cannot start instead of throwing', async () => {
    const run = await runVersionCommand(join(scratchDir(), 'missing'), []);
    expect(run.spawnError).toMatch(/ENOENT/);
  });
});
