import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../http/errors.js';
import { CONFIG_GENERATIONS_KEPT } from '../limits.js';
import { isLeftoverTemp, writeFileAtomic, type AtomicWriteHooks } from '../fs/atomic.js';
import type { AtelierConfig, ConfigGeneration } from '../wire/config.js';
import { defaultConfig } from './defaults.js';
import { changedPaths } from './diff.js';
import { ConfigFileSchema, ConfigSchema, serializeConfig } from './schema.js';
import { issuesText } from '../issues-text.js';

/** config.json could not be read and there is no generation to recover from. */
export class ConfigCorruptError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`Configuration file ${file} is unreadable (${reason}). Atelier left it untouched: fix it or move it away, then start again.`);
    this.name = 'ConfigCorruptError';
  }
}

/** What happened at load, for the CLI to tell the user. */
export interface ConfigRecovery {
  corruptFile: string;
  movedTo: string;
  fromGeneration: number;
  reason: string;
}

interface GenerationFile {
  generation: number;
  created_at: string;
  reason: string;
  changes: string[];
  config: AtelierConfig;
}

const GENERATION_FILE = /^(\d+)\.json$/;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function describe(err: unknown): string {
  if (err instanceof SyntaxError) return `invalid JSON: ${err.message}`;
  if (err && typeof err === 'object' && 'issues' in err) {
    return issuesText((err as { issues: { path: PropertyKey[]; message: string }[] }).issues);
  }
  return String(err);
}

/**
 * config.json under the config dir: mode 0600, every write atomic, every accepted change kept
 * as a numbered generation (the last CONFIG_GENERATIONS_KEPT) so any of them can be restored.
 */
export class ConfigStore {
  readonly file: string;
  readonly #genDir: string;
  readonly #log: Logger;
  readonly #hooks: AtomicWriteHooks;
  #config: AtelierConfig;
  #latest = 0;
  /** Set when load had to set a corrupt file aside. */
  readonly recovery: ConfigRecovery | undefined;

  private constructor(dir: string, log: Logger, hooks: AtomicWriteHooks) {
    this.file = join(dir, 'config.json');
    this.#genDir = join(dir, 'generations');
    this.#log = log;
    this.#hooks = hooks;
    mkdirSync(this.#genDir, { recursive: true, mode: 0o700 });
    this.#removeStaleTemps(dir);
    this.#latest = Math.max(0, ...this.#generationNumbers());
    const { config, recovery } = this.#load();
    this.#config = deepFreeze(config);
    this.recovery = recovery;
  }

  /** Opens the store in `dir`, creating defaults on first run; throws ConfigCorruptError when it must not guess. */
  static open(dir: string, log: Logger, hooks: AtomicWriteHooks = {}): ConfigStore {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return new ConfigStore(dir, log, hooks);
  }

  /** The current configuration (frozen). */
  get(): AtelierConfig {
    return this.#config;
  }

  /**
   * Applies a change: validates the whole result, writes it atomically, records a generation.
   * A change that changes nothing writes nothing.
   */
  update(reason: string, change: (current: AtelierConfig) => AtelierConfig): AtelierConfig {
    const next = this.#validate(change(structuredClone(this.#config) as AtelierConfig));
    const changes = changedPaths(this.#config, next);
    if (changes.length === 0) return this.#config;
    writeFileAtomic(this.file, serializeConfig(next), 0o600, this.#hooks);
    this.#config = deepFreeze(next);
    this.#recordGeneration(reason, changes, next);
    this.#log.info({ reason, changes }, 'configuration changed');
    return this.#config;
  }

  /** Restores every section to its default (the previous state stays available as a generation). */
  reset(): AtelierConfig {
    return this.update('reset', () => defaultConfig());
  }

  /** Makes a past generation current again, as a new generation. */
  rollback(generation: number): AtelierConfig {
    const file = this.#readGeneration(generation);
    if (!file) throw new AppError(404, 'NOT_FOUND', `Config generation ${generation} does not exist (the last ${CONFIG_GENERATIONS_KEPT} are kept)`);
    return this.update(`rollback:${generation}`, () => file.config);
  }

  /** Kept generations, newest first, without their contents (they hold secrets). */
  generations(): ConfigGeneration[] {
    return this.#generationNumbers()
      .sort((a, b) => b - a)
      .flatMap((n) => {
        const g = this.#readGeneration(n);
        return g ? [{ generation: g.generation, created_at: g.created_at, reason: g.reason, changes: g.changes, current: n === this.#latest }] : [];
      });
  }

  #validate(config: AtelierConfig): AtelierConfig {
    const result = ConfigSchema.safeParse(config);
    if (!result.success) throw new AppError(400, 'VALIDATION_FAILED', `Invalid configuration: ${describe(result.error)}`);
    return result.data;
  }

  #load(): { config: AtelierConfig; recovery?: ConfigRecovery } {
    if (!existsSync(this.file)) {
      const config = this.#newestGeneration()?.config ?? defaultConfig();
      writeFileAtomic(this.file, serializeConfig(config), 0o600, this.#hooks);
      if (this.#latest === 0) this.#recordGeneration('initial', [], config);
      return { config };
    }
    chmodSync(this.file, 0o600); // a file someone loosened goes back to owner-only
    let config: AtelierConfig;
    try {
      config = ConfigSchema.parse(ConfigFileSchema.parse(JSON.parse(readFileSync(this.file, 'utf8'))));
    } catch (err) {
      return this.#recover(describe(err));
    }
    const newest = this.#newestGeneration();
    if (!newest) this.#recordGeneration('initial', [], config);
    else {
      const changes = changedPaths(newest.config, config);
      if (changes.length > 0) this.#recordGeneration('edited on disk', changes, config);
    }
    return { config };
  }

  /** A corrupt config.json is moved aside (never overwritten) and the newest generation restored. */
  #recover(reason: string): { config: AtelierConfig; recovery: ConfigRecovery } {
    const newest = this.#newestGeneration();
    if (!newest) throw new ConfigCorruptError(this.file, reason);
    const movedTo = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.file, movedTo);
    writeFileAtomic(this.file, serializeConfig(newest.config), 0o600, this.#hooks);
    const recovery = { corruptFile: this.file, movedTo, fromGeneration: newest.generation, reason };
    this.#log.warn(recovery, 'config.json was corrupt: moved it aside and restored the newest generation');
    return { config: newest.config, recovery };
  }

  #recordGeneration(reason: string, changes: string[], config: AtelierConfig): void {
    const generation = ++this.#latest;
    const file: GenerationFile = { generation, created_at: new Date().toISOString(), reason, changes, config };
    writeFileAtomic(join(this.#genDir, `${generation}.json`), JSON.stringify(file, null, 2), 0o600, this.#hooks);
    for (const n of this.#generationNumbers()) {
      if (n <= generation - CONFIG_GENERATIONS_KEPT) rmSync(join(this.#genDir, `${n}.json`), { force: true });
    }
  }

  #generationNumbers(): number[] {
    return readdirSync(this.#genDir).flatMap((name) => {
      const m = GENERATION_FILE.exec(name);
      return m ? [Number(m[1])] : [];
    });
  }

  /** A generation's file, or undefined when missing or unreadable (an unreadable one is skipped, not fatal). */
  #readGeneration(n: number): GenerationFile | undefined {
    try {
      const raw = JSON.parse(readFileSync(join(this.#genDir, `${n}.json`), 'utf8')) as GenerationFile;
      return { ...raw, config: ConfigSchema.parse(ConfigFileSchema.parse(raw.config)) };
    } catch {
      return undefined;
    }
  }

  #newestGeneration(): GenerationFile | undefined {
    for (const n of this.#generationNumbers().sort((a, b) => b - a)) {
      const g = this.#readGeneration(n);
      if (g) return g;
    }
    return undefined;
  }

  /**
   * Temp files whose writer is gone were left by a crash between write and rename; the target
   * is intact, so they go. The config folder also holds the runtime file and the start lock,
   * which a start beside this one may be creating: its temp file stays.
   */
  #removeStaleTemps(dir: string): void {
    for (const folder of [dir, this.#genDir]) {
      for (const name of readdirSync(folder)) if (isLeftoverTemp(name)) rmSync(join(folder, name), { force: true });
    }
  }
}
