import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type ssh2 from 'ssh2';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import { lazyModule } from '../lazy-module.js';
import { AppError } from '../http/errors.js';
import type { TerminalInit } from '../wire/terminal.js';
import type { TerminalProcess } from './process.js';
import type { SshConnection, SshConnectionStore } from './ssh-connections.js';
import type { KeyUnlocker } from './ssh-key.js';

/** What opening SSH connections needs: the saved connections, a key unlocker, the log. */
export interface SshDeps {
  store: SshConnectionStore;
  keys: KeyUnlocker;
  log: Logger;
}

const ssh2Lib = lazyModule<typeof ssh2>('ssh2');

/** Connecting (TCP, key exchange and authentication) must finish within this, per hop. */
export const SSH_READY_TIMEOUT_MS = 10_000;
/** A keepalive every 15 s; after 4 unanswered ones (about a minute) the connection is dropped. */
export const SSH_KEEPALIVE_INTERVAL_MS = 15_000;
export const SSH_KEEPALIVE_COUNT_MAX = 4;
/** Opening the shell or a jump host's forwarded channel must answer within this. */
export const SSH_CHANNEL_OPEN_TIMEOUT_MS = 10_000;

/** The host key fingerprint the way OpenSSH prints it: "SHA256:" + unpadded base64 of the key blob's SHA-256. */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

function where(conn: SshConnection): string {
  return `${conn.host}:${conn.port}`;
}

function keyFile(conn: SshConnection): Buffer {
  const path = conn.key_path!.replace(/^~(?=\/|$)/, homedir());
  try {
    return readFileSync(path);
  } catch (err) {
    throw new AppError(400, 'SSH_KEY_UNREADABLE', `Cannot read the private key of "${conn.name}" at ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * Credentials for ssh2, read at connect time (a key file may have changed since it was saved).
 * A passphrase-protected key is decrypted off the event loop first (see ssh-key.ts).
 */
async function credentials(conn: SshConnection, keys: KeyUnlocker): Promise<Partial<ConnectConfig>> {
  switch (conn.auth) {
    case 'password':
      // Servers that check passwords through PAM often offer only keyboard-interactive (see answerPrompts).
      return { password: conn.password ?? '', tryKeyboard: true };
    case 'key': {
      const unlocked = await keys.unlock(conn.private_key ?? keyFile(conn), conn.passphrase);
      if (!unlocked.ok) throw new AppError(400, 'SSH_KEY_INVALID', `The private key of "${conn.name}" cannot be used: ${unlocked.message}`);
      return { privateKey: unlocked.key };
    }
    case 'agent': {
      const agent = process.env.SSH_AUTH_SOCK;
      if (!agent) throw new AppError(400, 'SSH_AGENT_UNAVAILABLE', `"${conn.name}" uses agent authentication, but SSH_AUTH_SOCK is not set where Atelier runs; start an ssh-agent or choose key authentication`);
      return { agent };
    }
  }
}

/** A prompt of keyboard-interactive authentication that asks for the password (in a few languages). */
const PASSWORD_PROMPT = /pass(word|wort|code)|mot de passe|contrase|senha/i;

/** What keyboard-interactive authentication has asked during one handshake. */
export interface PromptState {
  /** The saved password went out once; asked again, it was wrong. */
  passwordSent: boolean;
  /** A prompt that could not be answered, named in the error. */
  unanswered: string | null;
}

/**
 * Answers keyboard-interactive prompts for password authentication: a prompt asking for the
 * password gets the saved one, once per handshake (a second round would only add a failed
 * attempt to the server's count). Anything else (a one-time code, a question) cannot be
 * answered from a saved connection: it is answered empty, so the login fails, and reported.
 */
export function answerPrompts(conn: SshConnection, prompts: { prompt: string }[], state: PromptState): string[] {
  const answers = prompts.map(({ prompt }) => {
    const asksPassword = conn.auth === 'password' && PASSWORD_PROMPT.test(prompt);
    if (!asksPassword) {
      state.unanswered = prompt.trim();
      return '';
    }
    return state.passwordSent ? '' : (conn.password ?? '');
  });
  if (answers.some(Boolean)) state.passwordSent = true;
  return answers;
}

/** What went wrong during a handshake, as an AppError the client can act on. */
function connectError(err: Error & { code?: string; level?: string }, conn: SshConnection, keyChange: { expected: string; got: string } | null, unanswered: string | null = null): AppError {
  const at = where(conn);
  if (keyChange) {
    return new AppError(
      409,
      'HOST_KEY_CHANGED',
      `The host key of ${at} ("${conn.name}") has changed: expected fingerprint ${keyChange.expected}, got ${keyChange.got}. Someone may be intercepting the connection. If the server was legitimately reinstalled, clear the pinned key in the connection editor.`,
    );
  }
  if (err.code === 'ECONNREFUSED') return new AppError(502, 'SSH_CONNECT_FAILED', `Connection refused by ${at}`);
  if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT') {
    return new AppError(504, 'SSH_TIMEOUT', `${at} did not complete the SSH handshake within ${SSH_READY_TIMEOUT_MS / 1000} s`);
  }
  if (err.level === 'client-authentication') {
    const asked = unanswered === null ? '' : `; it asked "${unanswered}", which Atelier cannot answer from a saved connection`;
    return new AppError(401, 'SSH_AUTH_FAILED', `${at} rejected ${conn.auth} authentication as ${conn.username} (${err.message})${asked}`);
  }
  if (err.level === 'agent') return new AppError(502, 'SSH_AGENT_FAILED', `The ssh-agent at SSH_AUTH_SOCK failed: ${err.message}`);
  if (err.level === 'client-dns') return new AppError(502, 'SSH_CONNECT_FAILED', `Cannot resolve ${conn.host} (${err.code ?? err.message})`);
  return new AppError(502, 'SSH_CONNECT_FAILED', `SSH connection to ${at} failed: ${err.message}`);
}

/**
 * One SSH handshake and login, over `sock` when given (a jump host's forwarded channel). A host
 * key that differs from the pin is refused; with no pin, the key is pinned once authentication
 * succeeds (trust on first use), so a failed login pins nothing.
 */
async function handshake(conn: SshConnection, { store, keys, log }: SshDeps, sock?: Duplex): Promise<Client> {
  const auth = await credentials(conn, keys);
  return new Promise((resolve, reject) => {
    const client = new (ssh2Lib().Client)();
    let settled = false;
    let ready = false;
    let presented: string | null = null;
    let keyChange: { expected: string; got: string } | null = null;
    const fail = (error: AppError) => {
      if (settled) return;
      settled = true;
      reject(error);
      client.end();
    };
    const prompted: PromptState = { passwordSent: false, unanswered: null };
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => finish(answerPrompts(conn, prompts, prompted)));
    // After `ready`, errors (a lost network, unanswered keepalives) close the channel, which ends the session.
    client.on('error', (err: Error & { code?: string; level?: string }) => {
      if (ready) log.warn({ connection: conn.name, level: err.level, error: err.message }, 'ssh connection error');
      else fail(connectError(err, conn, keyChange, prompted.unanswered));
    });
    client.on('close', () => fail(new AppError(502, 'SSH_CONNECT_FAILED', `${where(conn)} closed the connection during the handshake`)));
    client.once('ready', () => {
      if (settled) return;
      settled = ready = true;
      if (presented) store.pinIfUnset(conn.name, presented);
      if (!sock) client.setNoDelay(true); // keystrokes go out at once
      resolve(client);
    });
    try {
      client.connect({
        ...endpoint(conn, sock),
        keepaliveInterval: SSH_KEEPALIVE_INTERVAL_MS,
        keepaliveCountMax: SSH_KEEPALIVE_COUNT_MAX,
        hostVerifier: (key: Buffer): boolean => {
          presented = hostKeyFingerprint(key);
          const pinned = store.get(conn.name)?.host_key_sha256 ?? null; // read now: the editor may have just pinned or forgotten it
          if (pinned !== null && pinned !== presented) keyChange = { expected: pinned, got: presented };
          return keyChange === null;
        },
        ...auth,
      });
    } catch (err) {
      if (err instanceof AppError) fail(err);
      else fail(new AppError(400, 'SSH_KEY_INVALID', `The private key of "${conn.name}" cannot be used: ${(err as Error).message}`));
    }
  });
}

/** Where and as whom to connect, with the handshake deadline. */
function endpoint(conn: SshConnection, sock: Duplex | undefined): ConnectConfig {
  return { host: conn.host, port: conn.port, username: conn.username, sock, readyTimeout: SSH_READY_TIMEOUT_MS };
}

/** Reads the host key `conn`'s host presents, refusing it so the handshake stops there (no login). */
function readHostKey(conn: SshConnection, sock?: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new (ssh2Lib().Client)();
    let fingerprint: string | null = null;
    const finish = () => {
      client.end();
      if (fingerprint) resolve(fingerprint);
    };
    client.on('error', (err: Error & { code?: string; level?: string }) => {
      if (!fingerprint) reject(connectError(err, conn, null));
      finish();
    });
    client.on('close', () => {
      if (!fingerprint) reject(new AppError(502, 'SSH_CONNECT_FAILED', `${where(conn)} closed the connection before presenting a host key`));
    });
    client.connect({
      ...endpoint(conn, sock),
      hostVerifier: (key: Buffer): boolean => {
        fingerprint = hostKeyFingerprint(key);
        setImmediate(finish);
        return false;
      },
    });
  });
}

/** Opens a channel or fails with SSH_TIMEOUT if the server never answers. */
function openChannel(what: string, open: (cb: (err: Error | undefined, channel: ClientChannel) => void) => void, onError: (err: Error) => AppError): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new AppError(504, 'SSH_TIMEOUT', `${what} did not open within ${SSH_CHANNEL_OPEN_TIMEOUT_MS / 1000} s`));
    }, SSH_CHANNEL_OPEN_TIMEOUT_MS);
    open((err, channel) => {
      clearTimeout(timer);
      if (timedOut) channel?.close(); // too late: nobody will read it
      else if (err) reject(onError(err));
      else resolve(channel);
    });
  });
}

function endAll(clients: Client[]): void {
  for (const c of [...clients].reverse()) c.end();
}

/**
 * The authenticated client chain to reach `conn`: its jump hosts first (each verified and
 * pinned like any connection), then the target over a `forwardOut` channel. Returns
 * [first hop, …, target].
 */
async function connectChain(conn: SshConnection, deps: SshDeps): Promise<Client[]> {
  const hops = conn.jump ? await connectChain(deps.store.require(conn.jump), deps) : [];
  try {
    const sock = hops.length > 0 ? await forwardTo(hops, conn) : undefined;
    return [...hops, await handshake(conn, deps, sock)];
  } catch (err) {
    endAll(hops);
    throw err;
  }
}

/** A TCP channel from the last hop to `conn`'s host and port. */
function forwardTo(hops: Client[], conn: SshConnection): Promise<ClientChannel> {
  const via = hops.at(-1)!;
  return openChannel(
    `The channel to ${where(conn)} through jump host "${conn.jump}"`,
    (cb) => via.forwardOut('127.0.0.1', 0, conn.host, conn.port, cb),
    (err) => new AppError(502, 'SSH_CONNECT_FAILED', `Jump host "${conn.jump}" could not reach ${where(conn)}: ${err.message.replace(/^\(SSH\) /, '')}`),
  );
}

/** Reads the host key `conn`'s host presents now, through its jump hosts (which it logs in to). */
export async function probeHostKey(conn: SshConnection, deps: SshDeps): Promise<string> {
  const hops = conn.jump ? await connectChain(deps.store.require(conn.jump), deps) : [];
  try {
    return await readHostKey(conn, hops.length > 0 ? await forwardTo(hops, conn) : undefined);
  } finally {
    endAll(hops);
  }
}

/** A shell channel as a TerminalProcess. Exit is reported once, after all output, when the channel closes. */
function channelProcess(channel: ClientChannel, clients: Client[], title: string): TerminalProcess {
  let status: { code: number | null; signal: string | null } = { code: null, signal: null };
  channel.on('exit', (code: number | null, signal?: string) => {
    status = { code: code ?? null, signal: signal ?? null };
  });
  let closed = false;
  const exitListeners: ((exit: typeof status) => void)[] = [];
  channel.once('close', () => {
    closed = true;
    endAll(clients);
    for (const listener of exitListeners) listener(status);
  });
  return {
    title,
    onData: (listener) => {
      channel.on('data', listener);
      channel.stderr.on('data', listener);
    },
    onExit: (listener) => {
      if (closed) listener(status);
      else exitListeners.push(listener);
    },
    write: (data) => {
      if (channel.writable) channel.write(data);
    },
    resize: (cols, rows) => {
      if (!closed) channel.setWindow(rows, cols, 0, 0);
    },
    // Backpressure: a paused channel is not read, so ssh2 stops granting window and the remote stops sending.
    pause: () => channel.pause(),
    resume: () => channel.resume(),
    kill: () => {
      channel.end();
      channel.close();
      endAll(clients);
    },
  };
}

/** Opens a shell on the saved connection `init.connection` (through its jump hosts). */
export async function openSshProcess(init: TerminalInit, deps: SshDeps): Promise<TerminalProcess> {
  const conn = deps.store.require(init.connection!);
  const clients = await connectChain(conn, deps);
  const target = clients.at(-1)!;
  try {
    const channel = await openChannel(
      `The shell on ${where(conn)}`,
      (cb) => target.shell({ term: 'xterm-256color', cols: init.cols, rows: init.rows }, cb),
      (err) => new AppError(502, 'SSH_SHELL_FAILED', `${where(conn)} refused to open a shell: ${err.message}`),
    );
    deps.log.info({ connection: conn.name, hops: clients.length - 1 }, 'ssh shell opened');
    return channelProcess(channel, clients, `${conn.username}@${conn.host}`);
  } catch (err) {
    endAll(clients);
    throw err;
  }
}
