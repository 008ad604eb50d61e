import type { Logger } from 'pino';
import type { Lifecycle } from '../lifecycle.js';
import type { ScanResult } from '../wire/system.js';
import type { ToolSpec } from './catalog.js';
import { scanTools, type ScanOptions, type ScanProgress } from './scanner.js';
import type { ScanStore } from './scan-store.js';

/** What the service needs: the catalog, where scans are kept, and who kills children at shutdown. */
export interface ScanServiceDeps {
  catalog: readonly ToolSpec[];
  store: ScanStore;
  lifecycle: Lifecycle;
  log: Logger;
  /** Overrides for tests (PATH, timeout, concurrency). */
  scanOptions?: Pick<ScanOptions, 'env' | 'timeoutMs' | 'concurrency'>;
}

type ProgressListener = (progress: ScanProgress) => void;

/** The scan running now: its result, its listeners, and the progress so far for late joiners. */
interface InFlight {
  promise: Promise<ScanResult>;
  listeners: Set<ProgressListener>;
  progress: ScanProgress[];
}

/**
 * Owns tool scans: the latest result (persisted), at most one scan at a time (a second request
 * joins the running one), and progress fan-out to every caller that is streaming.
 */
export class ScanService {
  readonly #deps: ScanServiceDeps;
  #latest: ScanResult | null;
  #inFlight: InFlight | undefined;

  constructor(deps: ScanServiceDeps) {
    this.#deps = deps;
    this.#latest = deps.store.latest();
  }

  /** The last completed scan (possibly from a previous run), or null. */
  get latest(): ScanResult | null {
    return this.#latest;
  }

  /** True while a scan is running. */
  get scanning(): boolean {
    return this.#inFlight !== undefined;
  }

  /**
   * Starts a scan, or joins the one running. `onProgress` gets one event per tool: those already
   * done are replayed first, so a caller joining late still sees every tool.
   */
  rescan(onProgress?: ProgressListener): Promise<ScanResult> {
    const run = this.#inFlight ?? this.#start();
    if (onProgress) {
      for (const p of run.progress) onProgress(p);
      run.listeners.add(onProgress);
    }
    return run.promise;
  }

  /** The last completed scan; when there is none yet, the running (or a new) scan's result. */
  async current(): Promise<ScanResult> {
    return this.#latest ?? this.rescan();
  }

  /** Kicks off a scan after the current tick, so server start is not delayed; failures are logged. */
  startInBackground(): void {
    setImmediate(() => {
      if (this.#deps.lifecycle.closing) return;
      this.rescan().catch((err: unknown) => this.#deps.log.error({ err }, 'background tool scan failed'));
    });
  }

  #start(): InFlight {
    const { catalog, lifecycle, log, scanOptions } = this.#deps;
    const run: InFlight = { promise: undefined as never, listeners: new Set(), progress: [] };
    run.promise = scanTools(catalog, {
      ...scanOptions,
      onSpawn: (child, group) => lifecycle.track(child, { group }),
      stopped: () => lifecycle.closing,
      onProgress: (p) => {
        run.progress.push(p);
        for (const listener of run.listeners) {
          try {
            listener(p);
          } catch (err) {
            // One broken stream must not fail the scan every other caller is waiting for.
            log.warn({ err }, 'scan progress listener failed');
          }
        }
      },
    })
      .then((scan) => {
        this.#latest = scan;
        // A scan cut short by shutdown is incomplete, and the database is about to close.
        if (!lifecycle.closing) this.#persist(scan);
        log.info({ tools: scan.tools.length, found: scan.tools.filter((t) => t.found).length, ms: scan.duration_ms }, 'tool scan done');
        return scan;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    this.#inFlight = run;
    return run;
  }

  #persist(scan: ScanResult): void {
    try {
      this.#deps.store.save(scan);
    } catch (err) {
      // Not fatal: the scan is still served from memory, only the restart cache is stale.
      this.#deps.log.warn({ err }, 'could not persist tool scan');
    }
  }
}
