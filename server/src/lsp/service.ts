import { homedir } from 'node:os';
import type { Logger } from 'pino';
import { resolveProjectDir } from '../fs/project-dir.js';
import { AppError } from '../http/errors.js';
import type { Lifecycle } from '../lifecycle.js';
import { LSP_HANDSHAKE_CONCURRENCY, LSP_HANDSHAKE_TIMEOUT_MS, LSP_INSTALL_TIMEOUT_MS, LSP_VERSION_CONCURRENCY } from '../limits.js';
import { mapPool } from '../map-pool.js';
import { realRoot } from '../tools/root-path.js';
import type {
  LspAutoInstallEntry,
  LspAutoInstallRequest,
  LspAutoInstallResponse,
  LspEditorConfigRequest,
  LspEditorConfigResponse,
  LspHealthResponse,
  LspHealthResult,
  LspInstallProgress,
  LspListResponse,
  LspServerState,
} from '../wire/lsp.js';
import { renderFile, writeRendered } from './config-files.js';
import { scanProject, selectServers, type Detection, type ProjectScan, type ScanLimits } from './detect.js';
import { planEditorConfig, type ConfiguredServer, type VscodeSettings } from './editor-config.js';
import { handshake } from './handshake.js';
import { isInstallable, systemHint, toolchainOf } from './install-methods.js';
import { runInstall } from './installer.js';
import { ServerLocator } from './locate.js';
import { ManagedPrefix, type ManifestEntry } from './prefix.js';
import type { LspServerSpec } from './registry.js';

/** Everything the service needs; tests pass their own registry, PATH and timeouts (the seam for hung or failing servers). */
export interface LspServiceOptions {
  registry: readonly LspServerSpec[];
  /** The managed install prefix, `<data dir>/lsp`. */
  prefixDir: string;
  vscodeSettings: VscodeSettings;
  /** Sent as clientInfo.version in handshakes. */
  clientVersion: string;
  lifecycle?: Lifecycle;
  log?: Logger;
  /** The environment searched (PATH) and given to installers and servers; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The home directory project_dir must be inside; read on each call (default os.homedir()). */
  home?: () => string;
  handshakeTimeoutMs?: number;
  installTimeoutMs?: number;
  versionTimeoutMs?: number;
  scanLimits?: ScanLimits;
}

/** Receives installer progress. */
export type ProgressSink = (progress: LspInstallProgress) => void;

/** An install that passed its checks and holds its server's lock; `run` carries it out (once). */
export interface InstallJob {
  server: LspServerSpec;
  run(onProgress: ProgressSink): Promise<{ state: LspServerState; output: string }>;
}

/**
 * Language servers (SPEC §7): what is installed where, live handshakes, installs into the
 * managed prefix, project auto-install and editor configs. No HTTP here: routes.ts adapts it.
 */
export class LspService {
  readonly prefix: ManagedPrefix;
  readonly #options: LspServiceOptions;
  readonly #byId: Map<string, LspServerSpec>;
  readonly #locator: ServerLocator;
  /** Ids being installed now: a second install of the same id is refused (409). */
  readonly #installing = new Set<string>();
  /** npm installs share one prefix (package.json, node_modules): they run one after another. */
  #npmQueue: Promise<void> = Promise.resolve();
  #npmWaiting = 0;

  constructor(options: LspServiceOptions) {
    this.#options = options;
    this.prefix = new ManagedPrefix(options.prefixDir);
    this.#byId = new Map(options.registry.map((s) => [s.id, s]));
    this.#locator = new ServerLocator(this.prefix, {
      env: options.env ?? process.env,
      versionTimeoutMs: options.versionTimeoutMs,
      onSpawn: (child, group) => options.lifecycle?.track(child, { group }),
    });
  }

  /** The spec of `id`, or 404 UNKNOWN_SERVER. */
  require(id: string): LspServerSpec {
    const server = this.#byId.get(id);
    if (!server) throw new AppError(404, 'UNKNOWN_SERVER', `No language server "${id}" in the registry (GET /api/lsp lists them)`);
    return server;
  }

  /** Every registry server with its installed state, versions read in parallel (a few at a time). */
  async list(): Promise<LspListResponse> {
    const manifest = this.prefix.read();
    const servers = await mapPool(this.#options.registry, LSP_VERSION_CONCURRENCY, (server) => this.#stateOf(server, manifest));
    return { prefix: this.prefix.root, servers };
  }

  /** One server's state. */
  async state(id: string): Promise<LspServerState> {
    return this.#stateOf(this.require(id), this.prefix.read());
  }

  async #stateOf(server: LspServerSpec, manifest: Record<string, ManifestEntry>): Promise<LspServerState> {
    const [location, toolchain] = await Promise.all([this.#locator.locate(server, manifest), this.#locator.toolchain(server)]);
    const reading = location ? await this.#locator.version(server, location) : { version: null, error: null };
    const needs = toolchainOf(server.install);
    const hint = server.install.method === 'system' ? systemHint(server.install) : toolchain ? null : `needs ${needs![0]}`;
    return {
      id: server.id,
      name: server.name,
      homepage: server.homepage,
      languages: server.languages,
      file_extensions: server.file_extensions,
      command: server.command,
      args: server.args,
      install_method: server.install.method,
      installed: location !== null,
      source: location?.source ?? null,
      path: location?.path ?? null,
      version: reading.version,
      version_error: reading.error,
      installable: toolchain !== null,
      toolchain: needs?.[0] ?? null,
      install_hint: hint,
      managed: location?.managed ? { installed_at: location.managed.installed_at, spec: location.managed.spec } : null,
      editors: server.editors,
    };
  }

  /** Handshakes with one server (`id`) or every installed one, a few at a time. */
  async health(id?: string): Promise<LspHealthResponse> {
    const manifest = this.prefix.read();
    const located = await Promise.all((id ? [this.require(id)] : this.#options.registry).map(async (server) => ({ server, location: await this.#locator.locate(server, manifest) })));
    const targets = id ? located : located.filter((t) => t.location !== null);
    const servers = await mapPool(targets, LSP_HANDSHAKE_CONCURRENCY, async ({ server, location }): Promise<LspHealthResult> => {
      const base = { id: server.id, name: server.name, path: location?.path ?? null };
      if (!location) {
        return { ...base, ok: false, latency_ms: null, total_ms: 0, server_info: null, capabilities: [], error: `${server.name} is not installed`, timed_out: false, exit_code: null, stderr_tail: null };
      }
      const outcome = await handshake({
        file: location.path,
        args: server.args,
        env: this.#locator.env,
        timeoutMs: this.#options.handshakeTimeoutMs ?? LSP_HANDSHAKE_TIMEOUT_MS,
        clientVersion: this.#options.clientVersion,
        lifecycle: this.#options.lifecycle,
      });
      if (!outcome.ok) this.#options.log?.warn({ server: server.id, error: outcome.error }, 'language server handshake failed');
      return { ...base, ...outcome };
    });
    return { servers };
  }

  /**
   * Checks that `id` can be installed here and takes its lock: 404 UNKNOWN_SERVER, 409
   * INSTALL_IN_PROGRESS, 422 SYSTEM_PACKAGE (installed with the OS's package manager: the
   * hint says how) or 422 NEEDS_TOOLCHAIN (npm, go, python3 or rustup missing from PATH).
   */
  async beginInstall(id: string): Promise<InstallJob> {
    const server = this.require(id);
    const install = server.install;
    if (!isInstallable(install)) {
      throw new AppError(422, 'SYSTEM_PACKAGE', `${server.name} is not installed by Atelier; install it with your system's tools: ${systemHint(install)}`);
    }
    if (this.#installing.has(id)) throw new AppError(409, 'INSTALL_IN_PROGRESS', `${server.name} is already being installed`);
    this.#installing.add(id);
    let released = false;
    const release = (): void => {
      if (!released) this.#installing.delete(id);
      released = true;
    };
    const toolchain = await this.#locator.toolchain(server).catch(() => null);
    if (!toolchain) {
      release();
      throw new AppError(422, 'NEEDS_TOOLCHAIN', `Installing ${server.name} needs ${toolchainOf(install)!.join(' or ')}, which is not on PATH`);
    }
    let ran = false;
    return {
      server,
      run: async (onProgress) => {
        if (ran) throw new Error(`install job for ${id} already ran`);
        ran = true;
        const progress = (phase: LspInstallProgress['phase'], line: string): void => onProgress({ id, phase, line });
        const unqueue = install.method === 'npm' ? await this.#waitForNpm(progress) : () => {};
        try {
          const outcome = await runInstall(server, install, toolchain, {
            prefix: this.prefix,
            locator: this.#locator,
            registry: this.#options.registry,
            lifecycle: this.#options.lifecycle,
            timeoutMs: this.#options.installTimeoutMs ?? LSP_INSTALL_TIMEOUT_MS,
            onProgress: progress,
          });
          this.prefix.record(outcome.entries);
          this.#options.log?.info({ server: id, registered: Object.keys(outcome.entries) }, 'language server installed');
          return { state: await this.state(id), output: outcome.output };
        } finally {
          unqueue();
          release();
        }
      },
    };
  }

  /** Waits for the npm installs ahead; answers the function that lets the next one go. */
  async #waitForNpm(progress: (phase: 'queued', line: string) => void): Promise<() => void> {
    const ahead = this.#npmQueue;
    let release!: () => void;
    this.#npmQueue = new Promise<void>((resolve) => (release = resolve));
    if (this.#npmWaiting > 0) progress('queued', 'waiting for another npm install into the managed prefix to finish');
    this.#npmWaiting++;
    await ahead;
    return () => {
      this.#npmWaiting--;
      release();
    };
  }

  /** Detects the project's languages and installs the servers it lacks (or, dry, says what it would do). */
  async autoInstall(request: LspAutoInstallRequest, onProgress: ProgressSink = () => {}): Promise<LspAutoInstallResponse> {
    return (await this.beginAutoInstall(request)).run(onProgress);
  }

  /**
   * Resolves project_dir (400 PATH_OUTSIDE_HOME, 404) and walks the project; `run` then installs.
   * Split so a refusal is an HTTP error before any stream opens.
   */
  async beginAutoInstall(request: LspAutoInstallRequest): Promise<{ run: (onProgress: ProgressSink) => Promise<LspAutoInstallResponse> }> {
    const dir = await resolveProjectDir(request.project_dir, this.#home());
    const dryRun = request.dry_run ?? false;
    const scan = await scanProject(dir, this.#options.scanLimits);
    const detections = selectServers(this.#options.registry, scan);
    return { run: (onProgress) => this.#autoInstall(dir, dryRun, scan, detections, onProgress) };
  }

  async #autoInstall(dir: string, dryRun: boolean, scan: ProjectScan, detections: readonly Detection[], onProgress: ProgressSink): Promise<LspAutoInstallResponse> {
    const servers: LspAutoInstallEntry[] = [];
    // One at a time: npm installs share the prefix anyway, and each entry sees what the last one registered.
    for (const { server, detectedBy } of detections) {
      const entry = { id: server.id, name: server.name, detected_by: detectedBy };
      const location = await this.#locator.locate(server, this.prefix.read());
      if (location) {
        servers.push({ ...entry, action: 'already_installed' });
        continue;
      }
      if (!isInstallable(server.install)) {
        servers.push({ ...entry, action: 'unavailable', error: `install it with your system's tools: ${systemHint(server.install)}` });
        continue;
      }
      if (!(await this.#locator.toolchain(server))) {
        servers.push({ ...entry, action: 'unavailable', error: `needs ${toolchainOf(server.install)!.join(' or ')}, which is not on PATH` });
        continue;
      }
      if (dryRun) {
        servers.push({ ...entry, action: 'would_install' });
        continue;
      }
      try {
        const job = await this.beginInstall(server.id);
        await job.run(onProgress);
        servers.push({ ...entry, action: 'installed' });
      } catch (err) {
        servers.push({ ...entry, action: 'failed', error: (err as Error).message });
      }
    }
    const languages = [...new Set(detections.flatMap((d) => d.server.languages))];
    return { project_dir: dir, dry_run: dryRun, languages, scanned_entries: scan.entries, truncated: scan.truncated, servers };
  }

  /**
   * Generates (and with `write`, writes) an editor's config for the given servers, or every
   * installed one. Every file is merged and checked before any is written: one malformed file
   * refuses the request and leaves all of them as they were.
   */
  async editorConfig(request: LspEditorConfigRequest): Promise<LspEditorConfigResponse> {
    const home = this.#home();
    const projectDir = request.project_dir === undefined ? null : await resolveProjectDir(request.project_dir, home);
    const manifest = this.prefix.read();
    const unknown = (request.servers ?? []).filter((id) => !this.#byId.has(id));
    if (unknown.length > 0) throw new AppError(404, 'UNKNOWN_SERVER', `No language server ${unknown.map((id) => `"${id}"`).join(', ')} in the registry (GET /api/lsp lists them)`);
    const wanted = request.servers ? [...new Set(request.servers)].map((id) => this.require(id)) : this.#options.registry;
    const located: ConfiguredServer[] = await Promise.all(wanted.map(async (spec) => ({ spec, path: (await this.#locator.locate(spec, manifest))?.path ?? null })));
    const servers = request.servers ? located : located.filter((s) => s.path !== null);
    const plan = planEditorConfig(request.editor, servers, this.#options.vscodeSettings);
    if (servers.length === 0) plan.notes.push('No language server is installed: install one, or name servers to configure by command name');
    const homeRoot = await realRoot(home);
    const rendered = [];
    for (const file of plan.files) rendered.push(await renderFile(file, projectDir, homeRoot));
    const files = rendered.map((file) => writeRendered(file, request.write ?? false));
    if (files.some((f) => f.written)) this.#options.log?.info({ editor: request.editor, files: files.filter((f) => f.written).map((f) => f.path) }, 'editor config written');
    return { editor: request.editor, servers: plan.configured, files, notes: plan.notes };
  }

  #home(): string {
    return (this.#options.home ?? homedir)();
  }
}
