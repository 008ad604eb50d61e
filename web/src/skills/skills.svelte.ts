/**
 * The Skills page's data: every skill with its validation and deployments, the places a skill
 * can be deployed to, and the actions on one skill. Check results are kept per skill name, so
 * a reload of the list does not wipe what the user just read.
 */
import type {
  SkillDeployResult,
  SkillImportResult,
  SkillSummary,
  SkillTarget,
  SkillTargetInfo,
  SkillTestResult,
  SkillUndeployResult,
  SkillValidation,
  UndeploySkillRequest,
} from '$wire/skills';
import { api, describeError, hrefOf } from '../lib/api';
import { download, fileToBase64 } from '../lib/download';
import { LoadState } from '../lib/load-state.svelte';
import { modelChoice } from '../studio/model-choice.svelte';

/** A check's answer, or why it could not be made (the route failed, not the skill). */
export type Outcome<T> = { result: T } | { error: string };

/** Where a deploy or undeploy goes: a target, and the project for targets that need one. */
export interface Placement {
  target: SkillTarget;
  projectDir?: string;
}

function placementBody(name: string, placement: Placement): UndeploySkillRequest {
  return { name, target: placement.target, ...(placement.projectDir !== undefined && { project_dir: placement.projectDir }) };
}

class Skills extends LoadState {
  items = $state.raw<SkillSummary[]>([]);
  targets = $state.raw<SkillTargetInfo[]>([]);
  validating = $state<Record<string, boolean>>({});
  validations = $state<Record<string, Outcome<SkillValidation>>>({});
  testing = $state<Record<string, boolean>>({});
  tests = $state<Record<string, Outcome<SkillTestResult>>>({});

  /** Reads the skills and targets again (GET /api/skills). */
  async refresh(): Promise<void> {
    await this.run(
      () => api.get('/api/skills'),
      (list) => {
        this.items = list.skills;
        this.targets = list.targets;
      },
    );
  }

  /** The target's description, for labels. */
  target(id: SkillTarget): SkillTargetInfo | undefined {
    return this.targets.find((t) => t.id === id);
  }

  /** Checks a skill against the format (POST /api/skills/validate); the list's summary follows. */
  async validate(name: string): Promise<void> {
    this.validating[name] = true;
    try {
      const result = await api.post('/api/skills/validate', { body: { name } });
      this.validations[name] = { result };
      this.#replaceValidation(name, result);
    } catch (err) {
      this.validations[name] = { error: describeError(err) };
    } finally {
      this.validating[name] = false;
    }
  }

  /** Sends the skill's sample prompt to the model picked on the page (POST /api/skills/test). */
  async test(name: string): Promise<void> {
    this.testing[name] = true;
    const { provider, model } = modelChoice;
    try {
      const result = await api.post('/api/skills/test', { body: { name, ...(provider && { provider }), ...(model && { model }) } });
      this.tests[name] = { result };
      this.validations[name] = { result: result.validation };
      this.#replaceValidation(name, result.validation);
    } catch (err) {
      this.tests[name] = { error: describeError(err) };
    } finally {
      this.testing[name] = false;
    }
  }

  /** Copies the skill to a target (POST /api/skills/deploy); rejects with the server's ApiError (409: the copy was changed by hand). */
  async deploy(name: string, placement: Placement, overwrite = false): Promise<SkillDeployResult> {
    const result = await api.post('/api/skills/deploy', { body: { ...placementBody(name, placement), ...(overwrite && { overwrite }) } });
    await this.refresh();
    return result;
  }

  /** Removes the files Atelier deployed there, leaving files changed or added by hand (POST /api/skills/undeploy). */
  async undeploy(name: string, placement: Placement): Promise<SkillUndeployResult> {
    const result = await api.post('/api/skills/undeploy', { body: placementBody(name, placement) });
    await this.refresh();
    return result;
  }

  /** Downloads the skill folder as a zip (GET /api/skills/export). */
  async exportZip(name: string): Promise<void> {
    await download(hrefOf('/api/skills/export', { query: { name } }), `${name}.zip`);
  }

  /** Imports a zip the user picked (POST /api/skills/import); the caller checked its size. */
  async importZip(file: File, overwrite: boolean): Promise<SkillImportResult> {
    const data = await fileToBase64(file);
    const result = await api.post('/api/skills/import', { body: { data, ...(overwrite && { overwrite }) } });
    this.validations[result.skill.name] = { result: result.validation };
    delete this.tests[result.skill.name];
    await this.refresh();
    return result;
  }

  /** Deletes an imported skill (DELETE /api/skills/{name}); built-in skills cannot be. */
  async remove(name: string): Promise<void> {
    await api.delete('/api/skills/:name', { params: { name } });
    delete this.validations[name];
    delete this.tests[name];
    this.supersede();
    this.items = this.items.filter((s) => s.name !== name);
  }

  /** The list's validation summary of `name` after a full check. */
  #replaceValidation(name: string, v: SkillValidation): void {
    const summary = { valid: v.valid, errors: v.errors.length, warnings: v.warnings.length };
    this.items = this.items.map((s) => (s.name === name ? { ...s, validation: summary } : s));
  }
}

/** The Skills page's one list, kept while the studio is open. */
export const skills = new Skills();
