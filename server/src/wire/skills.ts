/**
 * Agent skills (SPEC §7 "LSP, MCP, skills"), shared by server and studio.
 *
 * A skill is a folder `<name>/` holding `SKILL.md`: YAML front matter (the agentskills.io
 * format: name, description, optional license, compatibility, metadata, allowed-tools) and
 * Markdown instructions, plus any files the instructions reference (`scripts/`,
 * `references/`, `assets/`). Skills come from the checkout (`builtin`) or from archives the
 * user imported (`imported`); Atelier deploys copies where agents read skills and remembers
 * every file it wrote, so that undeploy removes only those.
 */
import { z } from 'zod';
import { SKILL_MD_MAX_BYTES } from '../limits.js';

/** Format rules of agentskills.io (the reference validator, skills-ref, enforces the same numbers). */
export const SKILL_NAME_MAX = 64;
export const SKILL_DESCRIPTION_MAX = 1024;
export const SKILL_COMPATIBILITY_MAX = 500;
/** Lowercase letters, digits and single hyphens between them: no leading, trailing or doubled hyphen. */
export const SKILL_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** The front matter fields of the format; others are reported as warnings (agents may ignore them, skills-ref rejects them). */
export const SKILL_FIELDS = ['name', 'description', 'license', 'compatibility', 'metadata', 'allowed-tools'] as const;
/** `metadata` key holding the request that `POST /api/skills/test` sends to the model. */
export const SKILL_SAMPLE_PROMPT_KEY = 'atelier-sample-prompt';
/** The body is loaded whole when an agent activates the skill; the format recommends staying under this. */
export const SKILL_BODY_RECOMMENDED_MAX_LINES = 500;

export const SKILL_SOURCES = ['builtin', 'imported'] as const;
export type SkillSource = (typeof SKILL_SOURCES)[number];

/**
 * Where a skill can be deployed: `claude` ~/.claude/skills, `claude-project`
 * <project_dir>/.claude/skills (needs project_dir), `opencode` ~/.config/opencode/skills,
 * `agents` ~/.agents/skills. Each deployment is the folder `<that dir>/<name>/`.
 */
export const SKILL_TARGETS = ['claude', 'claude-project', 'opencode', 'agents'] as const;
export type SkillTarget = (typeof SKILL_TARGETS)[number];

/**
 * A skill named by a request: its folder name. Looser than SKILL_NAME_PATTERN so that a skill
 * whose folder breaks the rules can still be found, validated and fixed; no path separators
 * and no leading dot, so it can never name `..`.
 */
export const SkillRefSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'must be a skill folder name (letters, digits, ".", "_", "-")');

/** Body of POST /api/skills/validate: a skill by name, or SKILL.md text (checked against the folder of `name` when that skill exists). */
export const ValidateSkillRequestSchema = z
  .strictObject({
    name: SkillRefSchema.optional(),
    content: z.string().max(SKILL_MD_MAX_BYTES, `must be at most ${SKILL_MD_MAX_BYTES} characters`).optional(),
  })
  .refine((body) => body.name !== undefined || body.content !== undefined, { message: 'give name, content, or both', path: ['name'] });
export type ValidateSkillRequest = z.infer<typeof ValidateSkillRequestSchema>;

/** Body of POST /api/skills/test. */
export const TestSkillRequestSchema = z.strictObject({
  name: SkillRefSchema,
  provider: z.string().min(1).max(64).optional(),
  model: z.string().min(1).max(200).optional(),
});

/** Fields naming a deployment: the skill, the target and, for `claude-project`, the project. */
const deploymentFields = {
  name: SkillRefSchema,
  target: z.enum(SKILL_TARGETS),
  /** Absolute, inside the home directory; only for `claude-project`, which needs it. */
  project_dir: z.string().min(1).max(4096).optional(),
};

/** claude-project needs project_dir; the home targets refuse it (it would be silently ignored). */
function checkProjectDir(body: { target: SkillTarget; project_dir?: string | undefined }, ctx: z.RefinementCtx): void {
  if (body.target === 'claude-project' && body.project_dir === undefined) ctx.addIssue({ code: 'custom', path: ['project_dir'], message: 'the claude-project target needs project_dir' });
  if (body.target !== 'claude-project' && body.project_dir !== undefined) ctx.addIssue({ code: 'custom', path: ['project_dir'], message: `the ${body.target} target deploys into your home directory and takes no project_dir` });
}

/** Body of POST /api/skills/deploy. */
export const DeploySkillRequestSchema = z
  .strictObject({
    ...deploymentFields,
    /** Replace files the user changed or added in Atelier's earlier copy (refused with 409 SKILL_DEPLOY_CONFLICT otherwise). */
    overwrite: z.boolean().optional(),
  })
  .superRefine(checkProjectDir);
export type DeploySkillRequest = z.infer<typeof DeploySkillRequestSchema>;

/** Body of POST /api/skills/undeploy. */
export const UndeploySkillRequestSchema = z.strictObject(deploymentFields).superRefine(checkProjectDir);
export type UndeploySkillRequest = z.infer<typeof UndeploySkillRequestSchema>;

/** Body of POST /api/skills/import: a zip as base64 (no `data:` prefix). */
export const ImportSkillRequestSchema = z.strictObject({
  data: z.string().min(1, 'must not be empty').regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64 (A–Z, a–z, 0–9, +, /, = padding; no data: prefix or line breaks)'),
  /** Replace an imported skill of the same name (built-in skills are never replaced). */
  overwrite: z.boolean().optional(),
});

/** Query of GET /api/skills/export. */
export const ExportSkillQuerySchema = z.strictObject({ name: SkillRefSchema });

/** Path of GET and DELETE /api/skills/{name}. */
export const SkillNameParamsSchema = z.strictObject({ name: SkillRefSchema });

/**
 * One problem. `path` names the field at fault (`name`, `metadata.author`, `frontmatter`,
 * `body`, `SKILL.md`, or a file of the folder); `line` is the SKILL.md line when known.
 */
export interface SkillIssue {
  path: string;
  message: string;
  line?: number;
}

/** Answer of POST /api/skills/validate; `valid` means no errors (warnings allowed). */
export interface SkillValidation {
  valid: boolean;
  errors: SkillIssue[];
  warnings: SkillIssue[];
}

/**
 * One deployed copy, compared with what Atelier wrote there: `intact` (every file as written),
 * `modified` (some changed or missing: see `changed` and `missing`), `removed` (the folder is
 * gone). `outdated` when the skill itself changed since (redeploy to update).
 */
export interface SkillDeployment {
  target: SkillTarget;
  /** The deployed folder. */
  path: string;
  /** The project of a `claude-project` deployment, else null. */
  project_dir: string | null;
  deployed_at: string;
  state: 'intact' | 'modified' | 'removed';
  changed: string[];
  missing: string[];
  outdated: boolean;
}

/** A row of GET /api/skills. */
export interface SkillSummary {
  /** The folder name (equal to the front matter name when the skill is valid). */
  name: string;
  /** From the front matter; empty when missing. */
  description: string;
  source: SkillSource;
  /** The skill folder on this machine. */
  dir: string;
  /** Regular files in the folder, SKILL.md included. */
  files: number;
  license: string | null;
  compatibility: string | null;
  /** `metadata.atelier-sample-prompt`, sent by the test action; null when absent. */
  sample_prompt: string | null;
  validation: { valid: boolean; errors: number; warnings: number };
  deployments: SkillDeployment[];
}

/** Where a target puts skills, for the studio's deploy menu. */
export interface SkillTargetInfo {
  id: SkillTarget;
  label: string;
  /** True for `claude-project`: deploy and undeploy need project_dir. */
  needs_project_dir: boolean;
  /** The skills folder (`<project_dir>/.claude/skills` spelled with the placeholder for project targets). */
  dir: string;
}

/** Answer of GET /api/skills. */
export interface SkillList {
  skills: SkillSummary[];
  targets: SkillTargetInfo[];
}

/** One file of a skill folder. */
export interface SkillFileInfo {
  path: string;
  size: number;
  executable: boolean;
}

/** Answer of GET /api/skills/{name}: the summary plus SKILL.md, the files and the full validation. */
export interface SkillDetail extends SkillSummary {
  content: string;
  file_list: SkillFileInfo[];
  validation_detail: SkillValidation;
}

/** Answer of POST /api/skills/test. */
export interface SkillTestResult {
  validation: SkillValidation;
  run:
    | { skipped: string }
    | {
        provider: string;
        model: string;
        /** The user message sent (the sample prompt, or the generic one). */
        prompt: string;
        answer: string;
        usage: { input_tokens: number; output_tokens: number };
        latency_ms: number;
      };
}

/** Answer of POST /api/skills/deploy. */
export interface SkillDeployResult {
  deployment: SkillDeployment;
  /** False for a first deploy, true when an earlier copy was updated. */
  updated: boolean;
  /** Files of the earlier copy that the new version no longer has, removed. */
  removed: string[];
  /** Files of the earlier copy that the new version no longer has, changed by someone: left in place, no longer Atelier's. */
  kept: string[];
}

/** Answer of POST /api/skills/undeploy. */
export interface SkillUndeployResult {
  path: string;
  /** Files Atelier wrote and removed. */
  removed: string[];
  /** Files left in place: changed since Atelier wrote them, or added by someone else. */
  kept: { path: string; reason: 'modified' | 'added' }[];
  /** Files Atelier wrote that were already gone. */
  missing: string[];
  /** True when the folder was empty afterwards and was removed too. */
  folder_removed: boolean;
}

/** Answer of POST /api/skills/import. */
export interface SkillImportResult {
  skill: SkillSummary;
  /** True when an imported skill of the same name was replaced (overwrite: true). */
  replaced: boolean;
  validation: SkillValidation;
}

/** Answer of DELETE /api/skills/{name}. */
export interface SkillDeleteResult {
  deleted: true;
}
