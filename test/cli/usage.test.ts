import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { runCli } from './run.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function home(): string {
  const t = tempDir();
  cleanups.push(t.remove);
  return t.dir;
}

describe('atelier --version and --help', () => {
  it('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('--help lists every flag, every subcommand and every environment variable the server reads', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--port', '--host', '--allow-remote', '--no-open', '--home', '--dry-run', '--version', '--help']) expect(stdout).toContain(flag);
    for (const sub of ['atelier url', 'atelier open', 'atelier stop', 'atelier doctor', 'atelier service install|uninstall|status']) expect(stdout).toContain(sub);
    for (const name of ['ATELIER_PORT', 'ATELIER_HOME', 'ATELIER_TOKEN', 'ATELIER_LOG_LEVEL']) expect(stdout).toContain(name);
  });
});

describe('bad input', () => {
  it.each([[['--bogus']], [['frobnicate']], [['service', 'restart']], [['service']], [['url', 'extra']], [['url', '--dry-run']]])('%j prints usage to stderr and exits 2', async (args) => {
    const r = await runCli(args, { ATELIER_HOME: home() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^atelier: .+\n\nUsage: atelier/);
    expect(r.stdout).toBe('');
  });

  it('a non-numeric port is one line and exit 2', async () => {
    const r = await runCli(['--no-open', '--port', 'eighty'], { ATELIER_HOME: home() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('atelier: invalid port "eighty": expected a number 0..65535\n');
  });

  it('a --home that cannot be created (under a file) is one line and exit 1, and the file is untouched', async () => {
    const dir = home();
    writeFileSync(join(dir, 'file'), 'keep');
    const bad = join(dir, 'file', 'home');
    const r = await runCli(['--no-open', '--port', '0', '--home', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`atelier: cannot create the home directory ${bad}: ENOTDIR (a file is in the way)\n`);
    expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('keep');
  });
});

describe('atelier doctor', () => {
  it('prints one line per check and exits 0 on this machine', async () => {
    const r = await runCli(['doctor', '--port', '0'], { ATELIER_HOME: home() });
    expect(r.code, r.stdout).toBe(0);
    const lines = r.stdout.trim().split('\n');
    for (const check of ['node', 'node-pty', 'better-sqlite3', 'ssh2', 'release-memory', 'home', 'port', 'browser', 'studio', 'tools']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^(ok|warn) +${check} `)));
    }
    expect(lines.at(-1)).toBe('All checks passed');
  });

  it('fails the port check, saying what to do, when another program holds the port', async () => {
    const server = createServer((socket) => socket.destroy()); // not HTTP, so not Atelier
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    const port = (server.address() as { port: number }).port;
    const r = await runCli(['doctor', '--port', String(port)], { ATELIER_HOME: home() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^FAIL +port +127\\.0\\.0\\.1:${port} is used by another program: pick another with --port`, 'm'));
    expect(r.stdout).toMatch(/1 check failed/);
  });

  it('warns about a found tool whose version command fails, with its first line, as the Dashboard shows it', async () => {
    const bin = home();
    writeFileSync(join(bin, 'crush'), '#!/bin/sh\necho "crush 0.96.1"\necho "Please download from https://github.com/charmbracelet/crush/releases"\nexit 1\n');
    chmodSync(join(bin, 'crush'), 0o755);
    const r = await runCli(['doctor', '--port', '0'], { ATELIER_HOME: home(), PATH: `${bin}:${process.env.PATH}` });
    expect(r.stdout).toMatch(/^warn +tools +.*broken: Crush at \S+ \(exited with code 1: crush 0\.96\.1\)/m);
    expect(r.code, r.stdout).toBe(0);
  });

  it('fails the home check for a home others can write to', async () => {
    const dir = home();
    chmodSync(dir, 0o777);
    const r = await runCli(['doctor', '--port', '0'], { ATELIER_HOME: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^FAIL +home +${dir} is mode 777: .*chmod 700`, 'm'));
  });
});
