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
export const SkillIssueSchema = z.object({
  path: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
});
export type SkillIssue = z.infer<typeof SkillIssueSchema>;

/** Answer of POST /api/skills/validate; `valid` means no errors (warnings allowed). */
export const SkillValidationSchema = z.object({
  valid: z.boolean(),
  errors: z.array(SkillIssueSchema),
  warnings: z.array(SkillIssueSchema),
});
export type SkillValidation = z.infer<typeof SkillValidationSchema>;

/**
 * One deployed copy, compared with what Atelier wrote there: `intact` (every file as written),
 * `modified` (some changed or missing: see `changed` and `missing`), `removed` (the folder is
 * gone). `outdated` when the skill itself changed since (redeploy to update).
 */
export const SkillDeploymentSchema = z.object({
  target: z.enum(SKILL_TARGETS),
  /** The deployed folder. */
  path: z.string(),
  /** The project of a `claude-project` deployment, else null. */
  project_dir: z.string().nullable(),
  deployed_at: z.string(),
  state: z.enum(['intact', 'modified', 'removed']),
  changed: z.array(z.string()),
  missing: z.array(z.string()),
  outdated: z.boolean(),
});
export type SkillDeployment = z.infer<typeof SkillDeploymentSchema>;

/** A row of GET /api/skills. */
export const SkillSummarySchema = z.object({
  /** The folder name (equal to the front matter name when the skill is valid). */
  name: z.string(),
  /** From the front matter; empty when missing. */
  description: z.string(),
  source: z.enum(SKILL_SOURCES),
  /** The skill folder on this machine. */
  dir: z.string(),
  /** Regular files in the folder, SKILL.md included. */
  files: z.number().int(),
  license: z.string().nullable(),
  compatibility: z.string().nullable(),
  /** `metadata.atelier-sample-prompt`, sent by the test action; null when absent. */
  sample_prompt: z.string().nullable(),
  validation: z.object({ valid: z.boolean(), errors: z.number().int(), warnings: z.number().int() }),
  deployments: z.array(SkillDeploymentSchema),
});
export type SkillSummary = z.infer<typeof SkillSummarySchema>;

/** Where a target puts skills, for the studio's deploy menu. */
export const SkillTargetInfoSchema = z.object({
  id: z.enum(SKILL_TARGETS),
  label: z.string(),
  /** True for `claude-project`: deploy and undeploy need project_dir. */
  needs_project_dir: z.boolean(),
  /** The skills folder (`<project_dir>/.claude/skills` spelled with the placeholder for project targets). */
  dir: z.string(),
});
export type SkillTargetInfo = z.infer<typeof SkillTargetInfoSchema>;

/** Answer of GET /api/skills. */
export const SkillListSchema = z.object({
  skills: z.array(SkillSummarySchema),
  targets: z.array(SkillTargetInfoSchema),
});
export type SkillList = z.infer<typeof SkillListSchema>;

/** One file of a skill folder. */
export const SkillFileInfoSchema = z.object({
  path: z.string(),
  size: z.number().int(),
  executable: z.boolean(),
});
export type SkillFileInfo = z.infer<typeof SkillFileInfoSchema>;

/** Answer of GET /api/skills/{name}: the summary plus SKILL.md, the files and the full validation. */
export const SkillDetailSchema = SkillSummarySchema.extend({
  content: z.string(),
  file_list: z.array(SkillFileInfoSchema),
  validation_detail: SkillValidationSchema,
});
export type SkillDetail = z.infer<typeof SkillDetailSchema>;

/** Answer of POST /api/skills/test. */
export const SkillTestResultSchema = z.object({
  validation: SkillValidationSchema,
  run: z.union([
    z.object({ skipped: z.string() }),
    z.object({
      provider: z.string(),
      model: z.string(),
      /** The user message sent (the sample prompt, or the generic one). */
      prompt: z.string(),
      answer: z.string(),
      usage: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() }),
      latency_ms: z.number(),
    }),
  ]),
});
export type SkillTestResult = z.infer<typeof SkillTestResultSchema>;

/** Answer of POST /api/skills/deploy. */
export const SkillDeployResultSchema = z.object({
  deployment: SkillDeploymentSchema,
  /** False for a first deploy, true when an earlier copy was updated. */
  updated: z.boolean(),
  /** Files of the earlier copy that the new version no longer has, removed. */
  removed: z.array(z.string()),
  /** Files of the earlier copy that the new version no longer has, changed by someone: left in place, no longer Atelier's. */
  kept: z.array(z.string()),
});
export type SkillDeployResult = z.infer<typeof SkillDeployResultSchema>;

/** Answer of POST /api/skills/undeploy. */
export const SkillUndeployResultSchema = z.object({
  path: z.string(),
  /** Files Atelier wrote and removed. */
  removed: z.array(z.string()),
  /** Files left in place: changed since Atelier wrote them, or added by someone else. */
  kept: z.array(z.object({ path: z.string(), reason: z.enum(['modified', 'added']) })),
  /** Files Atelier wrote that were already gone. */
  missing: z.array(z.string()),
  /** True when the folder was empty afterwards and was removed too. */
  folder_removed: z.boolean(),
});
export type SkillUndeployResult = z.infer<typeof SkillUndeployResultSchema>;

/** Answer of POST /api/skills/import. */
export const SkillImportResultSchema = z.object({
  skill: SkillSummarySchema,
  /** True when an imported skill of the same name was replaced (overwrite: true). */
  replaced: z.boolean(),
  validation: SkillValidationSchema,
});
export type SkillImportResult = z.infer<typeof SkillImportResultSchema>;

/** Answer of DELETE /api/skills/{name}. */
export const SkillDeleteResultSchema = z.object({ deleted: z.literal(true) });
export type SkillDeleteResult = z.infer<typeof SkillDeleteResultSchema>;
