import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { tempDir } from './temp.js';

const SSHD = '/usr/sbin/sshd';
const INSTALL_HINT = 'apt-get update && apt-get install -y --no-install-recommends openssh-server (or run scripts/system-deps.sh)';
/** The account tests log in as when they run as root (sshd can only authenticate other users when it is root). */
export const SSH_TEST_USER = 'atelier-ssh-test';
/**
 * Where the test user's password lives (root-only). It is made once, at random, and reused,
 * so concurrent test files never overwrite each other's password and no password is in the code.
 */
const PASSWORD_FILE = '/root/.atelier-ssh-test-password';
/** How long sshd may take to listen. */
const START_TIMEOUT_MS = 10_000;

/** A real OpenSSH server on 127.0.0.1, with a throwaway host key and client keys. */
export interface Sshd {
  port: number;
  /** Account the client keys are authorized for. */
  user: string;
  /** That account's password; null when not running as root (password auth then cannot be tested). */
  password: string | null;
  /** OpenSSH private key text (no passphrase), authorized for `user`. */
  clientKey: string;
  /** Path of that key file. */
  clientKeyPath: string;
  /** An authorized key protected by `clientKeyPassphrase`. */
  encryptedClientKey: string;
  clientKeyPassphrase: string;
  /** The current host key's fingerprint as `ssh-keygen -l` prints it ("SHA256:…"). */
  hostKeyFingerprint: string;
  /** Restarts sshd on the same port with a freshly generated host key (a "reinstalled" server). */
  swapHostKey(): Promise<void>;
  stop(): Promise<void>;
}

function keygen(file: string, passphrase = ''): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'atelier-test', '-f', file], { stdio: 'pipe' });
}

function fingerprintOf(pubFile: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile], { encoding: 'utf8' });
  const match = /SHA256:[A-Za-z0-9+/]+/.exec(out);
  if (!match) throw new Error(`ssh-keygen -l printed no fingerprint: ${out}`);
  return match[0];
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The test account and its password (root), or the current user without one. */
function testAccount(): { user: string; password: string | null } {
  if (process.getuid?.() !== 0) return { user: userInfo().username, password: null };
  try {
    execFileSync('id', ['-u', SSH_TEST_USER], { stdio: 'pipe' });
  } catch {
    try {
      execFileSync('useradd', ['-m', '-s', '/bin/bash', SSH_TEST_USER], { stdio: 'pipe' });
    } catch (err) {
      // Another test file may have created it at the same moment.
      if (!/already exists/.test(String((err as { stderr?: Buffer }).stderr))) throw err;
    }
  }
  if (!existsSync(PASSWORD_FILE)) {
    // Create-or-lose atomically: link() fails if another process got there first.
    const draft = `${PASSWORD_FILE}.${process.pid}`;
    writeFileSync(draft, randomBytes(18).toString('base64url'), { mode: 0o600 });
    try {
      linkSync(draft, PASSWORD_FILE);
    } catch {
      // the other one won; use its password
    }
    rmSync(draft, { force: true });
  }
  const password = readFileSync(PASSWORD_FILE, 'utf8').trim();
  execFileSync('chpasswd', { input: `${SSH_TEST_USER}:${password}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
  return { user: SSH_TEST_USER, password };
}

function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`sshd exited with ${child.exitCode} before listening:\n${stderr()}`));
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not listen on ${port} within ${START_TIMEOUT_MS} ms:\n${stderr()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * Starts `/usr/sbin/sshd -D -e -f <config>` on 127.0.0.1:<free port>. Throws, with the install
 * command, when OpenSSH's server is not installed: these tests must fail, never skip.
 * `passwords: 'keyboard-interactive'` makes it take passwords only through PAM's
 * keyboard-interactive prompts, as macOS and many Linux servers do.
 */
export async function startSshd({ passwords = 'password' }: { passwords?: 'password' | 'keyboard-interactive' } = {}): Promise<Sshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing; the SSH tests need a real OpenSSH server. Install it: ${INSTALL_HINT}`);
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation directory
  const account = testAccount();
  const temp = tempDir('atelier-sshd-');
  const dir = temp.dir;
  chmodSync(dir, 0o755); // sshd reads authorized_keys as the logged-in user
  const clientKeyPath = join(dir, 'client_key');
  const encryptedKeyPath = join(dir, 'client_key_encrypted');
  const clientKeyPassphrase = randomBytes(12).toString('base64url');
  keygen(clientKeyPath);
  keygen(encryptedKeyPath, clientKeyPassphrase);
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${clientKeyPath}.pub`, 'utf8') + readFileSync(`${encryptedKeyPath}.pub`, 'utf8'), { mode: 0o644 });

  const port = await freePort();
  let generation = 0;
  let hostKey = '';
  let child: ChildProcess | null = null;
  let log = '';

  const launch = async (): Promise<void> => {
    hostKey = join(dir, `host_key_${++generation}`);
    keygen(hostKey);
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        ...(passwords === 'password'
          ? ['UsePAM no', 'PasswordAuthentication yes', 'KbdInteractiveAuthentication no']
          : ['UsePAM yes', 'PasswordAuthentication no', 'KbdInteractiveAuthentication yes']),
        'StrictModes no',
        'PubkeyAuthentication yes',
        'PermitRootLogin yes',
        'AllowTcpForwarding yes',
        'UseDNS no',
        'PrintMotd no',
        'PrintLastLog no',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    log = '';
    const proc = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
    child = proc;
    await waitForPort(port, proc, () => log);
  };

  const halt = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };

  await launch();
  const sshd: Sshd = {
    port,
    user: account.user,
    password: account.password,
    clientKey: readFileSync(clientKeyPath, 'utf8'),
    clientKeyPath,
    encryptedClientKey: readFileSync(encryptedKeyPath, 'utf8'),
    clientKeyPassphrase,
    hostKeyFingerprint: fingerprintOf(`${hostKey}.pub`),
    async swapHostKey() {
      await halt();
      await launch();
      sshd.hostKeyFingerprint = fingerprintOf(`${hostKey}.pub`);
    },
    async stop() {
      await halt();
      temp.remove();
    },
  };
  return sshd;
}
