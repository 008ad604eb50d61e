import { opendir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { LSP_DETECT_MAX_DEPTH, LSP_DETECT_MAX_ENTRIES } from '../limits.js';
import type { LspServerSpec } from './registry.js';

/** Directories the walk never enters: dependencies, build output, caches and VCS data say nothing about the project's own languages. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['node_modules', '.git', 'dist', 'build', 'target', 'out', '.next', '.venv', 'venv', '__pycache__', 'vendor', 'coverage']);

/** What a bounded walk of a project saw. */
export interface ProjectScan {
  /** Lower-cased file extensions (with the dot) and how many files had each. */
  extensions: Map<string, number>;
  /** Base names of the files seen (project markers are matched against them). */
  names: Set<string>;
  entries: number;
  /** The walk stopped at its entry limit before seeing everything. */
  truncated: boolean;
}

/** Limits of the walk; tests shrink them. */
export interface ScanLimits {
  maxDepth?: number;
  maxEntries?: number;
}

/**
 * Walks `root` breadth first, at most `maxDepth` levels and `maxEntries` entries, skipping
 * SKIPPED_DIRS and never following symbolic links to directories (a link may lead out of the
 * project, or in a loop). Unreadable directories are skipped.
 */
export async function scanProject(root: string, limits: ScanLimits = {}): Promise<ProjectScan> {
  const maxDepth = limits.maxDepth ?? LSP_DETECT_MAX_DEPTH;
  const maxEntries = limits.maxEntries ?? LSP_DETECT_MAX_ENTRIES;
  const scan: ProjectScan = { extensions: new Map(), names: new Set(), entries: 0, truncated: false };
  let level = [root];
  for (let depth = 1; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      let handle;
      try {
        handle = await opendir(dir);
      } catch {
        continue;
      }
      for await (const entry of handle) {
        if (scan.entries >= maxEntries) {
          scan.truncated = true;
          return scan;
        }
        scan.entries++;
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRS.has(entry.name)) next.push(join(dir, entry.name));
          continue;
        }
        if (!entry.isFile() && !entry.isSymbolicLink()) continue;
        scan.names.add(entry.name);
        const ext = extname(entry.name).toLowerCase();
        if (ext) scan.extensions.set(ext, (scan.extensions.get(ext) ?? 0) + 1);
      }
    }
    level = next;
  }
  return scan;
}

/** A server proposed for the project, and what matched. */
export interface Detection {
  server: LspServerSpec;
  /** Extension patterns (`*.ts`) then marker names (`tsconfig.json`). */
  detectedBy: string[];
}

/**
 * Whether a marker was seen. A marker without a dot also matches `<marker>.<anything>`
 * (`Dockerfile.dev`, `Containerfile.prod`), the usual naming of variants.
 */
function markerSeen(marker: string, scan: ProjectScan, stems: Set<string>): boolean {
  return scan.names.has(marker) || (!marker.includes('.') && stems.has(marker));
}

/**
 * Chooses the servers for what the walk saw, one primary per file extension:
 * - an extension belongs to the first server of the registry that lists it (typescript-language-server
 *   before tailwindcss-language-server, pyright before ruff, the CSS and HTML servers before Tailwind);
 * - a server is proposed when it owns an extension that was seen, or when one of its distinctive
 *   markers was seen: a marker no other server lists (`ruff.toml`, `tailwind.config.js`, `go.mod`,
 *   `Dockerfile`). Shared markers (`package.json`, `pyproject.toml`) propose nothing on their own,
 *   so a Python project gets pyright, and ruff only when it has a ruff config.
 * `detectedBy` names every extension and marker of the server that was seen. Registry order is kept.
 */
export function selectServers(registry: readonly LspServerSpec[], scan: ProjectScan): Detection[] {
  const owner = new Map<string, string>();
  const markerUse = new Map<string, number>();
  for (const server of registry) {
    for (const ext of server.file_extensions) if (!owner.has(ext.toLowerCase())) owner.set(ext.toLowerCase(), server.id);
    for (const marker of server.project_markers) markerUse.set(marker, (markerUse.get(marker) ?? 0) + 1);
  }
  const stems = new Set([...scan.names].filter((n) => n.includes('.')).map((n) => n.slice(0, n.indexOf('.'))));
  const detections: Detection[] = [];
  for (const server of registry) {
    const exts = server.file_extensions.filter((ext) => scan.extensions.has(ext.toLowerCase()));
    const markers = server.project_markers.filter((m) => markerSeen(m, scan, stems));
    const ownsAnExtension = exts.some((ext) => owner.get(ext.toLowerCase()) === server.id);
    const distinctive = markers.some((m) => markerUse.get(m) === 1);
    if (ownsAnExtension || distinctive) detections.push({ server, detectedBy: [...exts.map((e) => `*${e}`), ...markers] });
  }
  return detections;
}
