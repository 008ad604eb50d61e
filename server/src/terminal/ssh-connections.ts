import type Database from 'better-sqlite3';
import type ssh2 from 'ssh2';
import { lazyModule } from '../lazy-module.js';
import type { Migration } from '../db/database.js';
import { AppError } from '../http/errors.js';
import { SSH_SECRET_MASK, type SshAuth, type SshConnectionInput, type SshConnectionPublic } from '../wire/terminal.js';
import type { KeyUnlocker } from './ssh-key.js';

const ssh2Lib = lazyModule<typeof ssh2>('ssh2');

/** A saved connection as stored, secrets included. Never leaves the server: answer with `toPublic`. */
export interface SshConnection {
  name: string;
  host: string;
  port: number;
  username: string;
  auth: SshAuth;
  password: string | null;
  private_key: string | null;
  key_path: string | null;
  passphrase: string | null;
  jump: string | null;
  host_key_sha256: string | null;
  host_key_pinned_at: string | null;
  created_at: string;
  updated_at: string;
}

/** Longest chain of jump hosts followed; a longer one is refused when saved. */
export const SSH_MAX_JUMP_HOPS = 8;

/** The table of saved connections. `jump` references another row, so a used jump host cannot vanish. */
export const sshMigrations: Migration[] = [
  {
    id: '010_terminal_ssh_connections',
    up: (db) => {
      db.exec(`
        CREATE TABLE ssh_connections (
          name TEXT PRIMARY KEY,
          host TEXT NOT NULL,
          port INTEGER NOT NULL,
          username TEXT NOT NULL,
          auth TEXT NOT NULL CHECK (auth IN ('password', 'key', 'agent')),
          password TEXT,
          private_key TEXT,
          key_path TEXT,
          passphrase TEXT,
          jump TEXT REFERENCES ssh_connections(name) ON DELETE RESTRICT,
          host_key_sha256 TEXT,
          host_key_pinned_at TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        )`);
    },
  },
];

/** A connection as it may leave the server: secrets become "***" (or "" when unset). */
export function toPublic(c: SshConnection): SshConnectionPublic {
  const masked = (secret: string | null) => (secret ? SSH_SECRET_MASK : '');
  return {
    name: c.name,
    host: c.host,
    port: c.port,
    username: c.username,
    auth: c.auth,
    password: masked(c.password),
    private_key: masked(c.private_key),
    key_path: c.key_path,
    passphrase: masked(c.passphrase),
    jump: c.jump,
    host_key_sha256: c.host_key_sha256,
    host_key_pinned_at: c.host_key_pinned_at,
    updated_at: c.updated_at,
  };
}

function invalid(path: string, message: string): AppError {
  return new AppError(400, 'VALIDATION_FAILED', `Invalid body: ${path}: ${message}`, { issues: [{ path, message }] });
}

/** A secret from the request: absent or "***" keeps the stored one, "" clears it. */
function secret(given: string | undefined, stored: string | null): string | null {
  if (given === undefined || given === SSH_SECRET_MASK) return stored;
  return given === '' ? null : given;
}

/** Saved SSH connections in SQLite, with their pinned host keys. */
export class SshConnectionStore {
  readonly #db: Database.Database;
  readonly #keys: KeyUnlocker;

  constructor(db: Database.Database, keys: KeyUnlocker) {
    this.#db = db;
    this.#keys = keys;
  }

  /** The stored connection (with secrets), or undefined. */
  get(name: string): SshConnection | undefined {
    return this.#db.prepare('SELECT * FROM ssh_connections WHERE name = ?').get(name) as SshConnection | undefined;
  }

  /** The stored connection, or a 404 naming it. */
  require(name: string): SshConnection {
    const found = this.get(name);
    if (!found) throw new AppError(404, 'UNKNOWN_CONNECTION', `No saved SSH connection named "${name}"`);
    return found;
  }

  /** Every connection with secrets masked, by name. */
  listPublic(): SshConnectionPublic[] {
    return (this.#db.prepare('SELECT * FROM ssh_connections ORDER BY name').all() as SshConnection[]).map(toPublic);
  }

  /**
   * Creates or replaces a connection, merging secrets with the stored ones (see
   * SshConnectionInputSchema). Changing host or port forgets the pinned key: it belonged to
   * the old address. Returns the stored connection.
   */
  async save(input: SshConnectionInput): Promise<SshConnection> {
    const stored = this.get(input.name);
    const now = new Date().toISOString();
    const next: SshConnection = {
      name: input.name,
      host: input.host,
      port: input.port,
      username: input.username,
      auth: input.auth,
      password: null,
      private_key: null,
      key_path: null,
      passphrase: null,
      jump: input.jump === undefined ? (stored?.jump ?? null) : input.jump,
      host_key_sha256: null,
      host_key_pinned_at: null,
      created_at: stored?.created_at ?? now,
      updated_at: now,
    };
    if (input.auth === 'password') {
      next.password = secret(input.password, stored?.password ?? null);
      if (!next.password) throw invalid('password', 'password authentication needs a password');
    } else if (input.auth === 'key') {
      await this.#mergeKey(next, input, stored);
    }
    this.#checkJump(next);
    // Read after the key check, which may wait on a worker: a pin made meanwhile (a connect) is kept.
    const pinned = this.get(input.name);
    if (pinned && pinned.host === next.host && pinned.port === next.port) {
      next.host_key_sha256 = pinned.host_key_sha256;
      next.host_key_pinned_at = pinned.host_key_pinned_at;
    }

    this.#db
      .prepare(
        `INSERT INTO ssh_connections (name, host, port, username, auth, password, private_key, key_path, passphrase, jump, host_key_sha256, host_key_pinned_at, created_at, updated_at)
         VALUES (@name, @host, @port, @username, @auth, @password, @private_key, @key_path, @passphrase, @jump, @host_key_sha256, @host_key_pinned_at, @created_at, @updated_at)
         ON CONFLICT (name) DO UPDATE SET host = @host, port = @port, username = @username, auth = @auth, password = @password,
           private_key = @private_key, key_path = @key_path, passphrase = @passphrase, jump = @jump,
           host_key_sha256 = @host_key_sha256, host_key_pinned_at = @host_key_pinned_at, updated_at = @updated_at`,
      )
      .run(next);
    return next;
  }

  /** Deletes a connection; refuses while another connection hops through it. */
  remove(name: string): void {
    this.require(name);
    const users = this.#db.prepare('SELECT name FROM ssh_connections WHERE jump = ? ORDER BY name').pluck().all(name) as string[];
    if (users.length > 0) {
      throw new AppError(409, 'CONNECTION_IN_USE', `"${name}" is the jump host of ${users.map((u) => `"${u}"`).join(', ')}; change or delete those first`);
    }
    this.#db.prepare('DELETE FROM ssh_connections WHERE name = ?').run(name);
  }

  /** Pins a host key (replacing any pin). */
  pin(name: string, fingerprint: string): void {
    this.#db.prepare('UPDATE ssh_connections SET host_key_sha256 = ?, host_key_pinned_at = ? WHERE name = ?').run(fingerprint, new Date().toISOString(), name);
  }

  /** Pins a host key unless one is pinned already (trust on first use; a concurrent pin wins). */
  pinIfUnset(name: string, fingerprint: string): void {
    this.#db
      .prepare('UPDATE ssh_connections SET host_key_sha256 = ?, host_key_pinned_at = ? WHERE name = ? AND host_key_sha256 IS NULL')
      .run(fingerprint, new Date().toISOString(), name);
  }

  /** Clears the pin: the next successful connection pins whatever the host presents. */
  forgetPin(name: string): void {
    this.#db.prepare('UPDATE ssh_connections SET host_key_sha256 = NULL, host_key_pinned_at = NULL WHERE name = ?').run(name);
  }

  /** Key auth: private_key text or key_path; a new private_key replaces key_path and the other way round. */
  async #mergeKey(next: SshConnection, input: SshConnectionInput, stored: SshConnection | undefined): Promise<void> {
    const newKeyText = input.private_key !== undefined && input.private_key !== SSH_SECRET_MASK;
    const newPath = input.key_path !== undefined;
    next.private_key = secret(input.private_key, stored?.private_key ?? null);
    next.key_path = newPath ? (input.key_path ?? null) : (stored?.key_path ?? null);
    if (newKeyText && next.private_key) next.key_path = null;
    else if (newPath && next.key_path) next.private_key = null;
    next.passphrase = secret(input.passphrase, stored?.passphrase ?? null);
    if (!next.private_key && !next.key_path) throw invalid('private_key', 'key authentication needs private_key (the key text) or key_path');
    // Decrypting a key costs ~0.4 s of bcrypt (in a worker): check only what this request changed.
    const passphraseChanged = input.passphrase !== undefined && input.passphrase !== SSH_SECRET_MASK;
    if (next.private_key && (newKeyText || passphraseChanged)) {
      let message: string | undefined;
      if (next.passphrase) {
        const unlocked = await this.#keys.unlock(next.private_key, next.passphrase);
        if (!unlocked.ok) message = unlocked.message;
      } else {
        const parsed = ssh2Lib().utils.parseKey(next.private_key);
        if (parsed instanceof Error) message = parsed.message;
      }
      if (message !== undefined) throw invalid(next.passphrase && /passphrase|decrypt/i.test(message) ? 'passphrase' : 'private_key', message);
    }
  }

  /** The jump host must exist, and following jumps from it must end without coming back here. */
  #checkJump(next: SshConnection): void {
    if (next.jump === null) return;
    const seen = [next.name];
    let hop: string | null = next.jump;
    while (hop !== null) {
      if (seen.includes(hop)) throw invalid('jump', `jumping through "${next.jump}" makes a cycle (${[...seen, hop].join(' → ')})`);
      const row = this.get(hop);
      if (!row) throw invalid('jump', `no saved connection named "${hop}"`);
      seen.push(hop);
      if (seen.length - 1 > SSH_MAX_JUMP_HOPS) throw invalid('jump', `more than ${SSH_MAX_JUMP_HOPS} jump hosts in a row`);
      hop = row.jump;
    }
  }
}
