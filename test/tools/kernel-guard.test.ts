// The kernel guard for real (issue 16 §4): a real Atelier runs as an unprivileged user whom
// sudoers lets become root without a password, and its tools still cannot reach uid 0 however
// the command spells sudo — until the profile turns sudo_bypass on.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolResult } from '../../server/src/wire/tools.js';
import { repoRoot } from './fixtures.js';

const USER = 'atelier-guard';
const SUDOERS = `/etc/sudoers.d/${USER}`;
const MAIN = join(repoRoot, 'server', 'dist', 'main.js');
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const TOKEN = 'kernel-guard-test-token-0123456789';
const SERVER_START_MS = 20_000;

interface Account {
  uid: number;
  gid: number;
  home: string;
}

let account: Account;
let work: string;
let server: ChildProcess | null = null;
let serverExited: Promise<void> = Promise.resolve();
let origin = '';

/** The user's uid, gid and home from the passwd database, or null when there is no such user. */
function lookUp(name: string): Account | null {
  try {
    const [, , uid, gid, , home] = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':');
    return { uid: Number(uid), gid: Number(gid), home: home! };
  } catch {
    return null;
  }
}

/** Creates the unprivileged user once; a run after the first finds it there. */
function ensureUser(): Account {
  if (!lookUp(USER)) {
    try {
      execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', USER], { stdio: 'pipe' });
    } catch (err) {
      // Another run may have created it meanwhile; anything else is a real failure.
      if (!lookUp(USER)) throw err;
    }
  }
  const found = lookUp(USER)!;
  if (!existsSync(found.home)) {
    mkdirSync(found.home, { recursive: true, mode: 0o755 });
    chownSync(found.home, found.uid, found.gid);
  }
  return found;
}

/** Runs `argv` as the test user (no no_new_privs of its own), answering stdout. */
function asUser(argv: string[]): string {
  return execFileSync('setpriv', [`--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups', '--', ...argv], {
    encoding: 'utf8',
    cwd: account.home,
    env: { PATH: SYSTEM_PATH, HOME: account.home },
  });
}

function chownTree(path: string): void {
  execFileSync('chown', ['-R', `${account.uid}:${account.gid}`, path]);
}

/** Starts the compiled server as the test user; resolves with its origin once it printed its URL. */
async function startServerAsUser(bin: string): Promise<string> {
  const child = spawn('setpriv', [`--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups', '--', process.execPath, MAIN, '--no-open', '--port', '0'], {
    cwd: work,
    env: { PATH: `${bin}:${SYSTEM_PATH}`, HOME: account.home, USER, LOGNAME: USER, ATELIER_HOME: join(work, 'state'), ATELIER_TOKEN: TOKEN, ATELIER_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  serverExited = new Promise((resolve) => child.once('exit', () => resolve()));
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (err += c));
  const end = Date.now() + SERVER_START_MS;
  while (Date.now() < end) {
    const m = out.match(/(http:\/\/\S+)\/\?token=/);
    if (m) return m[1]!;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Atelier did not start as ${USER}; stderr: ${err}`);
}

async function api(method: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${origin}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The user's own tool call (POST /api/tool/call): an ask counts as yes, so only the guards stand in the way. */
async function callTool(name: string, args: Record<string, unknown>): Promise<ToolResult> {
  const res = await api('POST', '/api/tool/call', { name, args });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ToolResult;
}

const terminal = (command: string) => callTool('terminal', { command, cwd: work, timeout: 20 });

async function setSudoBypass(on: boolean): Promise<void> {
  const res = await api('PUT', '/api/config/profile', { sudo_bypass: on });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** True when some line of the output is exactly `0`: what `id -u` prints as root. */
const reachedRoot = (output: string) => output.split('\n').some((line) => line.trim() === '0');

/** sudo 1.9's refusal when the no_new_privs flag is set. */
const REFUSED_BY_KERNEL = /"no new privileges" flag is set/;

beforeAll(async () => {
  if (process.platform !== 'linux') throw new Error('The kernel guard exists on Linux only; this test cannot run here');
  if (process.getuid?.() !== 0) throw new Error(`This test creates the user ${USER} and a sudoers rule: run it as root`);
  // sudo, setpriv, useradd, python3 and perl; a no-op when they are all there.
  execFileSync('bash', [join(repoRoot, 'scripts', 'system-deps.sh')], { stdio: 'inherit' });
  account = ensureUser();
  writeFileSync(SUDOERS, `${USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  chmodSync(SUDOERS, 0o440);
  execFileSync('visudo', ['-cf', SUDOERS], { stdio: 'pipe' });
  // Without the guard this user does become root: whatever fails below fails because of the guard.
  expect(asUser(['sudo', '-n', 'id', '-u']).trim()).toBe('0');

  work = mkdtempSync(join(account.home, 'kernel-guard-'));
  const bin = join(work, 'bin');
  mkdirSync(bin);
  // A stand-in for Claude Code: it tries sudo the way an agent's own Bash tool would.
  writeFileSync(join(bin, 'claude'), '#!/bin/sh\ngrep NoNewPrivs /proc/self/status\nsudo -n id -u\n', { mode: 0o755 });
  chownTree(work);
  origin = await startServerAsUser(bin);
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await serverExited;
  }
  rmSync(SUDOERS, { force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the kernel guard, with sudo_bypass off', () => {
  it('runs the server as the unprivileged user', async () => {
    expect((await terminal('id -u')).content.split('\n')[0]).toBe(String(account.uid));
  });

  it('refuses plain sudo with the static guard, so it never reaches uid 0', async () => {
    const result = await terminal('sudo -n id -u');
    expect(result).toMatchObject({ is_error: true, sudo_blocked: true, code: 'SUDO_BLOCKED' });
    expect(reachedRoot(result.content)).toBe(false);
  });

  it.each([
    ['python3 -c', `python3 -c 'import os; os.system("sudo -n id -u")'`],
    ['perl -e', 'perl -e "exec q(sudo -n id -u)"'],
    ['a script file', 'printf "sudo -n id -u" > guard-x.sh; sh guard-x.sh'],
    ['IFS splitting', 'IFS=,; x=sudo,-n,id,-u; $x'],
  ])('keeps sudo spelled through %s from reaching uid 0', async (_spelling, command) => {
    const result = await terminal(command);
    expect(reachedRoot(result.content), result.content).toBe(false);
    // Either the static guard saw through the spelling, or sudo ran and the kernel stopped it.
    if (!result.sudo_blocked) expect(result.content).toMatch(REFUSED_BY_KERNEL);
  });

  it.each([
    ['the command itself', 'grep NoNewPrivs /proc/self/status'],
    ['python3 -c', `python3 -c 'import os; os.system("grep NoNewPrivs /proc/self/status")'`],
    ['perl -e', 'perl -e "exec q(grep NoNewPrivs /proc/self/status)"'],
    ['a script file', 'printf "grep NoNewPrivs /proc/self/status" > guard-y.sh; sh guard-y.sh'],
  ])('sets no_new_privs on every process the command starts: %s', async (_what, command) => {
    const result = await terminal(command);
    expect(result.content).toMatch(/^NoNewPrivs:\s*1$/m);
  });

  it('runs claude_run under the guard too: the agent cannot reach uid 0 through sudo', async () => {
    const result = await callTool('claude_run', { prompt: 'become root', cwd: work, timeout: 20 });
    expect(result.content).toMatch(/^NoNewPrivs:\s*1$/m);
    expect(result.content).toMatch(REFUSED_BY_KERNEL);
    expect(reachedRoot(result.content), result.content).toBe(false);
  });
});

describe('the kernel guard, with sudo_bypass on', () => {
  it('is off: sudo -n id -u prints 0, and the command runs without no_new_privs', async () => {
    await setSudoBypass(true);
    try {
      const sudo = await terminal('sudo -n id -u');
      expect(sudo).toMatchObject({ is_error: false, exit_code: 0 });
      expect(reachedRoot(sudo.content), sudo.content).toBe(true);
      expect((await terminal('grep NoNewPrivs /proc/self/status')).content).toMatch(/^NoNewPrivs:\s*0$/m);
    } finally {
      await setSudoBypass(false);
    }
  });

  it('is back once sudo_bypass is off again', async () => {
    expect((await terminal('grep NoNewPrivs /proc/self/status')).content).toMatch(/^NoNewPrivs:\s*1$/m);
  });
});
