import type { ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { LSP_VERSION_TIMEOUT_MS } from '../limits.js';
import { extractVersion, runVersionCommand } from '../system/version.js';
import { findExecutable, isExecutable } from '../system/which.js';
import type { LspSource } from '../wire/lsp.js';
import { toolchainOf } from './install-methods.js';
import type { ManagedPrefix, ManifestEntry } from './prefix.js';
import type { LspServerSpec } from './registry.js';

/** Where a server's binary is. */
export interface Location {
  source: LspSource;
  path: string;
  /** The manifest entry when Atelier installed it. */
  managed: ManifestEntry | null;
}

/** A version read from a binary, or why none could be. */
export interface VersionReading {
  version: string | null;
  error: string | null;
}

/** How the locator runs commands; tests narrow PATH and the timeout. */
export interface LocatorOptions {
  env: NodeJS.ProcessEnv;
  versionTimeoutMs?: number;
  onSpawn?: (child: ChildProcess, group: boolean) => void;
}

/**
 * Finds language server binaries (the managed prefix's manifest first, then PATH) and reads
 * their versions. A version is cached per binary path and its mtime and size: a reinstall or
 * upgrade changes them, a repeated GET /api/lsp spawns nothing.
 */
export class ServerLocator {
  readonly #prefix: ManagedPrefix;
  readonly #options: LocatorOptions;
  readonly #versions = new Map<string, { stamp: string; reading: VersionReading }>();

  constructor(prefix: ManagedPrefix, options: LocatorOptions) {
    this.#prefix = prefix;
    this.#options = options;
  }

  /** The environment installers and servers run with. */
  get env(): NodeJS.ProcessEnv {
    return this.#options.env;
  }

  /** The toolchain executable a spec's install needs, when it is on PATH. */
  async toolchain(server: LspServerSpec): Promise<string | null> {
    const names = toolchainOf(server.install);
    return names ? findExecutable(names, this.#options.env) : null;
  }

  /**
   * Where the server is: a manifest entry whose binary still exists, then, for rustup
   * components, `rustup which` (the `~/.cargo/bin` proxy exists even when the component does
   * not), else the first match on PATH.
   */
  async locate(server: LspServerSpec, manifest: Record<string, ManifestEntry>): Promise<Location | null> {
    const managed = manifest[server.id];
    if (managed && (await isExecutable(managed.path))) return { source: 'managed', path: managed.path, managed };
    if (server.install.method === 'rustup') {
      const rustup = await this.toolchain(server);
      if (rustup) {
        const path = await this.rustupWhich(rustup, server.command);
        return path ? { source: 'toolchain', path, managed: null } : null;
      }
    }
    const path = await findExecutable([server.command], this.#options.env);
    return path ? { source: 'path', path, managed: null } : null;
  }

  /** The real binary behind a rustup proxy, or null when the component is not installed. */
  async rustupWhich(rustup: string, command: string): Promise<string | null> {
    const run = await runVersionCommand(rustup, ['which', command], { timeoutMs: this.#timeoutMs, env: this.#options.env, onSpawn: this.#options.onSpawn });
    if (run.exitCode !== 0) return null;
    const path = run.output.split(/\r?\n/)[0]?.trim() ?? '';
    return path && (await isExecutable(path)) ? path : null;
  }

  /** Runs the version command (cached per path+mtime); without one, the version Atelier recorded at install. */
  async version(server: LspServerSpec, location: Location): Promise<VersionReading> {
    if (!server.version_args) return { version: location.managed?.version ?? null, error: null };
    let stamp: string;
    try {
      const info = await stat(location.path);
      stamp = `${info.mtimeMs}:${info.size}:${server.version_args.join(' ')}`;
    } catch (err) {
      return { version: null, error: `cannot stat ${location.path}: ${(err as Error).message}` };
    }
    const cached = this.#versions.get(location.path);
    if (cached?.stamp === stamp) return cached.reading;
    const reading = await this.probe(location.path, server.version_args);
    this.#versions.set(location.path, { stamp, reading });
    return reading;
  }

  /** Runs `path version_args` once, uncached: the install check wants a fresh answer. */
  async probe(path: string, args: readonly string[]): Promise<VersionReading> {
    const run = await runVersionCommand(path, args, { timeoutMs: this.#timeoutMs, env: { ...this.#options.env, NO_COLOR: '1' }, onSpawn: this.#options.onSpawn });
    const version = extractVersion(run.output);
    if (run.spawnError) return { version: null, error: `could not run: ${run.spawnError}` };
    if (run.timedOut) return { version: null, error: `${args.join(' ')} timed out after ${this.#timeoutMs} ms` };
    if (run.exitCode !== 0) return { version: null, error: `${args.join(' ')} exited with ${run.exitCode ?? run.signal}: ${run.output.trim().slice(0, 300)}` };
    return { version, error: version ? null : 'no version in its output' };
  }

  get #timeoutMs(): number {
    return this.#options.versionTimeoutMs ?? LSP_VERSION_TIMEOUT_MS;
  }
}
