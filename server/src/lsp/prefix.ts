import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic.js';

/** One install Atelier made and verified: the binary it found afterwards and what it ran to get it. */
const ManifestEntrySchema = z.object({
  method: z.enum(['npm', 'go', 'pip', 'rustup']),
  path: z.string().min(1),
  /** The version the binary reported, or the npm package's own version when it has no version flag. */
  version: z.string().nullable(),
  /** What was asked for: `typescript-language-server@^5 typescript@^6`, a Go module, a pip package, a rustup component. */
  spec: z.string(),
  installed_at: z.string(),
});
export type ManifestEntry = z.infer<typeof ManifestEntrySchema>;

const ManifestSchema = z.object({ version: z.literal(1), servers: z.record(z.string(), ManifestEntrySchema) });
type Manifest = z.infer<typeof ManifestSchema>;

/**
 * Atelier's own install prefix (`<data dir>/lsp`): npm packages in `node_modules` (binaries in
 * `node_modules/.bin`), Go binaries in `bin`, one Python venv per server in `venvs/<id>`, and
 * `manifest.json`, the record of what was installed. A binary counts as managed only through
 * the manifest, which is written after an install succeeded and its binary answered: files an
 * interrupted install left behind register nothing.
 */
export class ManagedPrefix {
  constructor(readonly root: string) {}

  /** npm's binary links (`npm install --prefix <root>`). */
  get npmBin(): string {
    return join(this.root, 'node_modules', '.bin');
  }

  /** GOBIN for `go install`. */
  get goBin(): string {
    return join(this.root, 'bin');
  }

  /** The venv of one pip-installed server. */
  venv(id: string): string {
    return join(this.root, 'venvs', id);
  }

  /** Where a venv keeps its executables. */
  venvBin(id: string): string {
    return join(this.venv(id), process.platform === 'win32' ? 'Scripts' : 'bin');
  }

  get manifestFile(): string {
    return join(this.root, 'manifest.json');
  }

  /** The recorded installs; a missing or unreadable manifest means none (the next install rewrites it). */
  read(): Record<string, ManifestEntry> {
    if (!existsSync(this.manifestFile)) return {};
    try {
      const parsed = ManifestSchema.safeParse(JSON.parse(readFileSync(this.manifestFile, 'utf8')));
      return parsed.success ? parsed.data.servers : {};
    } catch {
      return {};
    }
  }

  /**
   * Adds (or replaces) entries. Read, change and write happen in one synchronous stretch, so two
   * installs finishing together cannot lose each other's entry.
   */
  record(entries: Record<string, ManifestEntry>): void {
    mkdirSync(this.root, { recursive: true });
    const manifest: Manifest = { version: 1, servers: { ...this.read(), ...entries } };
    writeFileAtomic(this.manifestFile, `${JSON.stringify(manifest, null, 2)}\n`, 0o644);
  }

  /**
   * Makes the prefix an npm project of its own, so `npm install --prefix` never walks up to a
   * package.json above it and keeps the packages installed so far.
   */
  ensureNpmProject(): void {
    mkdirSync(this.root, { recursive: true });
    const pkg = join(this.root, 'package.json');
    if (!existsSync(pkg)) writeFileAtomic(pkg, `${JSON.stringify({ name: 'atelier-language-servers', private: true, description: 'Language servers installed by Atelier' }, null, 2)}\n`, 0o644);
  }

  /** The installed version of an npm package in the prefix, or null. */
  npmPackageVersion(name: string): string | null {
    try {
      const pkg = JSON.parse(readFileSync(join(this.root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown };
      return typeof pkg.version === 'string' ? pkg.version : null;
    } catch {
      return null;
    }
  }
}
