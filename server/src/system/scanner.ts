import type { ChildProcess } from 'node:child_process';
import { TOOL_SCAN_CONCURRENCY, TOOL_VERSION_TIMEOUT_MS } from '../limits.js';
import type { ScanProgressEvent, ScanResult, ToolStatus } from '../wire/system.js';
import type { ToolSpec } from './catalog.js';
import { extractVersion, runVersionCommand, type CommandOutput } from './version.js';
import { findExecutable } from './which.js';
import { mapPool } from '../map-pool.js';

/** Progress of a running scan, once per tool as it completes (the wire's SSE event body). */
export type ScanProgress = ScanProgressEvent['progress'];

/** How to scan; every field has a production default. */
export interface ScanOptions {
  /** The environment whose PATH is searched and that version commands run with. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  concurrency?: number;
  /** Called with each spawned child (e.g. `lifecycle.track`). */
  onSpawn?: (child: ChildProcess, group: boolean) => void;
  onProgress?: (progress: ScanProgress) => void;
  /** Checked before each tool starts: once true (shutdown), remaining tools are not run. */
  stopped?: () => boolean;
}

/** The first non-blank line of a command's output, for an error that shows what the tool said. */
function firstLine(output: string): string {
  return output.split(/\r?\n/).map((line) => line.trim()).find(Boolean) ?? '';
}

/**
 * Why a found tool is broken or has no version, or null when all went well. A failed version
 * command means broken whatever it printed: a wrapper whose real binary is missing may still
 * echo a version before it exits 1 (crush installed with --ignore-scripts does).
 */
function describeFailure(run: CommandOutput, version: string | null, timeoutMs: number): string | null {
  if (run.spawnError) return `could not run: ${run.spawnError}`;
  const said = firstLine(run.output);
  const withOutput = (reason: string): string => (said ? `${reason}: ${said}` : reason);
  if (run.timedOut) return withOutput(`timed out after ${timeoutMs} ms`);
  if (run.signal) return withOutput(`killed by ${run.signal}`);
  if (run.exitCode !== 0) return withOutput(`exited with code ${run.exitCode}`);
  if (version) return null;
  return 'no version in its output';
}

/** Locates one tool and reads its version. Never throws: every failure is described in `error`. */
export async function scanTool(spec: ToolSpec, options: ScanOptions = {}): Promise<ToolStatus> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? TOOL_VERSION_TIMEOUT_MS;
  const base = { id: spec.id, name: spec.name, category: spec.category, homepage: spec.homepage };
  const path = await findExecutable(spec.bins, env);
  if (!path) return { ...base, found: false, path: null, version: null, error: null };
  if (options.stopped?.()) return { ...base, found: true, path, version: null, error: 'scan stopped (shutting down)' };
  // NO_COLOR keeps escape codes out of the output; the catalog's env comes last so an entry can override it.
  const run = await runVersionCommand(path, spec.versionArgs, {
    timeoutMs,
    env: { ...env, NO_COLOR: '1', ...spec.env },
    ...(options.onSpawn && { onSpawn: options.onSpawn }),
  });
  const extracted = run.spawnError ? null : extractVersion(run.output, spec.versionPattern);
  const error = describeFailure(run, extracted, timeoutMs);
  // A version from a command that failed is not the version of a working tool.
  return { ...base, found: true, path, version: error ? null : extracted, error };
}

/** Scans every tool of the catalog, at most `concurrency` version commands at once. */
export async function scanTools(catalog: readonly ToolSpec[], options: ScanOptions = {}): Promise<ScanResult> {
  const started = Date.now();
  let done = 0;
  const tools = await mapPool(catalog, options.concurrency ?? TOOL_SCAN_CONCURRENCY, async (spec) => {
    const tool = await scanTool(spec, options);
    done += 1;
    options.onProgress?.({ done, total: catalog.length, tool });
    return tool;
  });
  const finished = Date.now();
  return { started_at: new Date(started).toISOString(), finished_at: new Date(finished).toISOString(), duration_ms: finished - started, tools };
}
