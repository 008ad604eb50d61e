import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { lstat, mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { AppContext } from '../context.js';
import { AppError } from '../http/errors.js';
import type {
  DeploySkillRequest,
  SkillDeleteResult,
  SkillDeployResult,
  SkillDetail,
  SkillImportResult,
  SkillList,
  SkillSummary,
  SkillTestResult,
  SkillUndeployResult,
  SkillValidation,
  UndeploySkillRequest,
  ValidateSkillRequest,
} from '../wire/skills.js';
import { extractArchive, inspectArchive } from './archive-import.js';
import { zipSkill } from './archive-export.js';
import { loadSkill, samplePrompt, SkillCatalog, stringField, type LoadedSkill } from './catalog.js';
import { deploymentStatus, deploySkill, sourceFingerprint, undeploySkill } from './deploy.js';
import { readSkillFolder } from './files.js';
import { DeploymentManifest, type DeploymentRecord } from './manifest.js';
import { destinationOf, targetInfos } from './targets.js';
import { runSkillTest } from './tester.js';
import { validateSkillMd } from './validate.js';

/**
 * The skills capability without HTTP: list, validate, test, deploy, undeploy, export, import
 * and delete. Everything that writes (deployments, the manifest, imports) runs one at a time.
 */
export class SkillService {
  readonly catalog: SkillCatalog;
  readonly #manifest: DeploymentManifest;
  /** Imports are unpacked here, then renamed into place; emptied at start (crash leftovers). */
  readonly stagingRoot: string;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly ctx: AppContext) {
    const data = ctx.paths.dataDir;
    this.catalog = new SkillCatalog(join(ctx.rootDir, 'skills'), join(data, 'skills'));
    this.#manifest = new DeploymentManifest(join(data, 'skills-deployments.json'), ctx.log);
    this.stagingRoot = join(data, 'skills-staging');
    rmSync(this.stagingRoot, { recursive: true, force: true });
  }

  /** Runs `work` after every write started before it has finished. */
  #serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #summary(skill: LoadedSkill): Promise<SkillSummary> {
    const records = this.#manifest.of(skill.name).filter((r) => r.source === skill.source);
    const fingerprint = records.length ? await sourceFingerprint(skill) : undefined;
    const { validation } = skill;
    return {
      name: skill.name,
      description: stringField(skill, 'description') ?? '',
      source: skill.source,
      dir: skill.dir,
      files: skill.folder.files.length,
      license: stringField(skill, 'license'),
      compatibility: stringField(skill, 'compatibility'),
      sample_prompt: samplePrompt(skill),
      validation: { valid: validation.valid, errors: validation.errors.length, warnings: validation.warnings.length },
      deployments: await Promise.all(records.map((r) => deploymentStatus(r, fingerprint))),
    };
  }

  /** Every skill with its validation summary and deployments, and the deploy targets. */
  async list(): Promise<SkillList> {
    const locations = await this.catalog.list();
    const skills = await Promise.all(locations.map(async (l) => this.#summary(await loadSkill(l))));
    return { skills, targets: targetInfos() };
  }

  /** One skill in full: SKILL.md, its files and every validation issue. */
  async detail(name: string): Promise<SkillDetail> {
    const skill = await loadSkill(await this.catalog.require(name));
    return {
      ...(await this.#summary(skill)),
      content: skill.text,
      file_list: skill.folder.files.map((f) => ({ path: f.path, size: f.size, executable: (f.mode & 0o100) !== 0 })),
      validation_detail: skill.validation,
    };
  }

  /** Validates a skill by name, or SKILL.md text (against the folder of `name` when that skill exists). */
  async validate(request: ValidateSkillRequest): Promise<SkillValidation> {
    if (request.content === undefined) return (await loadSkill(await this.catalog.require(request.name!))).validation;
    if (request.name === undefined) return validateSkillMd(request.content);
    const location = await this.catalog.find(request.name);
    const folder = location ? await readSkillFolder(location.dir) : undefined;
    return validateSkillMd(request.content, { name: request.name, ...(folder && { folder }) });
  }

  /** Validates, then runs the skill's sample prompt once against a model (skipped without a provider). */
  async test(request: { name: string; provider?: string | undefined; model?: string | undefined }, signal: AbortSignal): Promise<SkillTestResult> {
    const skill = await loadSkill(await this.catalog.require(request.name));
    const run = await runSkillTest(this.ctx.db, this.ctx.config.get(), skill, request, signal);
    return { validation: skill.validation, run };
  }

  /** Deploys a valid skill to a target (422 SKILL_INVALID otherwise). */
  deploy(request: DeploySkillRequest): Promise<SkillDeployResult> {
    return this.#serialize(async () => {
      const skill = await loadSkill(await this.catalog.require(request.name));
      if (!skill.validation.valid) {
        const list = skill.validation.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
        throw new AppError(422, 'SKILL_INVALID', `Skill "${skill.name}" is invalid and cannot be deployed: ${list}`, { issues: skill.validation.errors });
      }
      const dest = await destinationOf(request.target, skill.name, request.project_dir);
      const result = await deploySkill(skill, request.target, dest, this.#manifest, request.overwrite ?? false);
      this.ctx.log.info({ skill: skill.name, target: request.target, path: dest.path, updated: result.updated }, 'skill deployed');
      return result;
    });
  }

  /** Removes what Atelier deployed for (name, target[, project]); 404 NOT_DEPLOYED when it deployed nothing there. */
  undeploy(request: UndeploySkillRequest): Promise<SkillUndeployResult> {
    return this.#serialize(async () => {
      const record = await this.#deployedRecord(request);
      const result = await undeploySkill(record, this.#manifest);
      this.ctx.log.info({ skill: request.name, target: request.target, path: record.path, kept: result.kept.length }, 'skill undeployed');
      return result;
    });
  }

  async #deployedRecord(request: UndeploySkillRequest): Promise<DeploymentRecord> {
    let path: string;
    try {
      path = (await destinationOf(request.target, request.name, request.project_dir)).path;
    } catch (err) {
      // A project folder that no longer exists: its deployment can still be forgotten.
      const gone = this.#manifest.all().find((r) => r.name === request.name && r.target === request.target && r.project_dir === request.project_dir);
      if (err instanceof AppError && err.status === 404 && gone) return gone;
      throw err;
    }
    const record = this.#manifest.at(path);
    if (!record) throw new AppError(404, 'NOT_DEPLOYED', `Atelier has not deployed "${request.name}" to ${path}; it removes only what it deployed`);
    return record;
  }

  /** The skill folder as a zip stream, entries under `<name>/`. */
  async export(name: string): Promise<{ name: string; stream: Readable }> {
    const skill = await loadSkill(await this.catalog.require(name));
    if (skill.folder.overflow) throw new AppError(422, 'SKILL_TOO_LARGE', `Skill "${name}" is too large to export: ${skill.folder.overflow}`);
    return { name: skill.name, stream: zipSkill(skill) };
  }

  /**
   * Imports a zip (see archive-import.ts for what is refused): unpacked into a staging folder,
   * validated there, then renamed into `<dataDir>/skills/<name>`. A refusal leaves nothing.
   */
  import(data: Buffer, overwrite: boolean): Promise<SkillImportResult> {
    return this.#serialize(async () => {
      const archive = await inspectArchive(data);
      const existing = await this.catalog.find(archive.name);
      if (existing?.source === 'builtin') throw new AppError(409, 'SKILL_BUILTIN', `"${archive.name}" is a built-in skill; rename the imported skill (folder and front matter name) to import it`);
      if (existing && !overwrite) throw new AppError(409, 'SKILL_EXISTS', `An imported skill named "${archive.name}" exists; pass overwrite: true to replace it`);
      const stage = join(this.stagingRoot, randomBytes(8).toString('hex'));
      const staged = join(stage, archive.name);
      try {
        await mkdir(staged, { recursive: true });
        await extractArchive(archive, staged);
        const skill = await loadSkill({ name: archive.name, source: 'imported', dir: staged });
        if (!skill.validation.valid) {
          const list = skill.validation.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
          throw new AppError(422, 'SKILL_INVALID', `The imported skill "${archive.name}" is invalid: ${list}; nothing was imported`, { issues: skill.validation.errors });
        }
        const dest = join(this.catalog.importedRoot, archive.name);
        await mkdir(this.catalog.importedRoot, { recursive: true });
        const replaced = (await lstat(dest).catch(() => null)) !== null;
        if (replaced) await rename(dest, join(stage, '.replaced'));
        try {
          await rename(staged, dest);
        } catch (err) {
          if (replaced) await rename(join(stage, '.replaced'), dest);
          throw err;
        }
        this.ctx.log.info({ skill: archive.name, replaced }, 'skill imported');
        const imported = await loadSkill({ name: archive.name, source: 'imported', dir: dest });
        return { skill: await this.#summary(imported), replaced, validation: imported.validation };
      } finally {
        await rm(stage, { recursive: true, force: true });
        await rmdir(this.stagingRoot).catch(() => undefined);
      }
    });
  }

  /** Deletes an imported skill that is deployed nowhere (409 otherwise; built-in skills are never deleted). */
  delete(name: string): Promise<SkillDeleteResult> {
    return this.#serialize(async () => {
      const location = await this.catalog.require(name);
      if (location.source === 'builtin') throw new AppError(409, 'SKILL_BUILTIN', `"${name}" is a built-in skill (part of the checkout) and cannot be deleted`);
      const deployed = this.#manifest.of(name).filter((r) => r.source === 'imported');
      if (deployed.length) throw new AppError(409, 'SKILL_DEPLOYED', `"${name}" is deployed to ${deployed.map((r) => r.path).join(', ')}; undeploy it first`);
      await rm(location.dir, { recursive: true, force: true });
      this.ctx.log.info({ skill: name }, 'imported skill deleted');
      return { deleted: true };
    });
  }
}
