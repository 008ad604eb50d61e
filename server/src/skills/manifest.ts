import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic.js';
import { SKILL_SOURCES, SKILL_TARGETS } from '../wire/skills.js';

const DeployedFileSchema = z.object({
  /** Relative to the deployed folder, `/`-separated. */
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mode: z.number().int(),
  size: z.number().int().nonnegative(),
});
export type DeployedFile = z.infer<typeof DeployedFileSchema>;

const DeploymentRecordSchema = z.object({
  name: z.string().min(1),
  source: z.enum(SKILL_SOURCES),
  target: z.enum(SKILL_TARGETS),
  project_dir: z.string().nullable(),
  /** The deployed folder; unique across the manifest. */
  path: z.string().min(1),
  deployed_at: z.string(),
  /** Every file Atelier wrote there, as written. */
  files: z.array(DeployedFileSchema),
});
/** One deployment: what Atelier wrote, where, and when. */
export type DeploymentRecord = z.infer<typeof DeploymentRecordSchema>;

const ManifestSchema = z.object({ version: z.literal(1), deployments: z.array(DeploymentRecordSchema) });

/**
 * The record of every deployment (`<dataDir>/skills-deployments.json`, written atomically,
 * mode 0600). It is what lets Atelier tell its own copies from the user's: a folder that is
 * not in here was not deployed by Atelier and is never overwritten or removed.
 * Callers serialize changes (SkillService holds one lock for all of them).
 */
export class DeploymentManifest {
  #records: DeploymentRecord[];

  constructor(
    private readonly file: string,
    log: Logger,
  ) {
    this.#records = DeploymentManifest.load(file, log);
  }

  private static load(file: string, log: Logger): DeploymentRecord[] {
    if (!existsSync(file)) return [];
    try {
      return ManifestSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).deployments;
    } catch (err) {
      // Keep the unreadable file for the user; with an empty manifest every existing folder counts as theirs, which is the safe side.
      const aside = `${file}.unreadable-${Date.now()}`;
      renameSync(file, aside);
      log.error({ err, file, aside }, 'skills deployment manifest unreadable; set aside, starting empty');
      return [];
    }
  }

  /** Every deployment, in the order they were first made. */
  all(): readonly DeploymentRecord[] {
    return this.#records;
  }

  /** The deployments of one skill. */
  of(name: string): DeploymentRecord[] {
    return this.#records.filter((r) => r.name === name);
  }

  /** The deployment at a folder, if Atelier made one there. */
  at(path: string): DeploymentRecord | undefined {
    return this.#records.find((r) => r.path === path);
  }

  /** Records (or replaces) the deployment at `record.path`. */
  put(record: DeploymentRecord): void {
    const i = this.#records.findIndex((r) => r.path === record.path);
    const next = [...this.#records];
    if (i >= 0) next[i] = record;
    else next.push(record);
    this.save(next);
  }

  /** Forgets the deployment at a folder. */
  remove(path: string): void {
    this.save(this.#records.filter((r) => r.path !== path));
  }

  private save(records: DeploymentRecord[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, `${JSON.stringify({ version: 1, deployments: records }, null, 2)}\n`);
    this.#records = records;
  }
}
