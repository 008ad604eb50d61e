import { pipeline } from 'node:stream/promises';
import type { Capability } from '../context.js';
import { abortOnDisconnect } from '../http/disconnect.js';
import { AppError } from '../http/errors.js';
import { LLM_ROUTE_RATE_LIMIT, SKILL_IMPORT_BODY_LIMIT_BYTES, SKILL_IMPORT_MAX_ZIP_BYTES, TOOL_ROUTE_RATE_LIMIT } from '../limits.js';
import { ProviderError } from '../providers/index.js';
import { skillsRoutes } from '../wire/routes/skills.js';
import { SkillService } from './service.js';

const tag = 'skills';

/** Skills (SPEC §7 "LSP, MCP, skills"): built-in and imported skills, validated, tested, deployed to agents, exported and imported as zip. */
export const skillsCapability: Capability = {
  name: 'skills',
  register({ api, ctx }) {
    const skills = new SkillService(ctx);

    api.route(skillsRoutes.list, { tag, summary: 'Built-in and imported skills with validation summary and deployments, and the deploy targets', handler: () => skills.list() });

    api.route(skillsRoutes.validate, {
      tag,
      summary: 'Validate a skill by name, or SKILL.md text (against the folder of `name` when that skill exists): every error and warning with its field path',
      handler: ({ body }) => skills.validate(body),
    });

    api.route(skillsRoutes.test, {
      tag,
      rateLimit: LLM_ROUTE_RATE_LIMIT,
      summary: "Validate, then send the skill's sample prompt to the active (or given) provider with SKILL.md's body as system prompt; skipped when no provider is configured",
      handler: async ({ body, res }) => {
        try {
          return await skills.test(body, abortOnDisconnect(res));
        } catch (err) {
          if (err instanceof ProviderError && err.retryAfterS !== undefined) res.setHeader('Retry-After', String(err.retryAfterS));
          throw err;
        }
      },
    });

    api.route(skillsRoutes.deploy, {
      tag,
      rateLimit: TOOL_ROUTE_RATE_LIMIT,
      summary: 'Copy a valid skill where an agent reads it (409 SKILL_EXISTS over a folder Atelier did not deploy; 422 SKILL_INVALID)',
      handler: ({ body }) => skills.deploy(body),
    });

    api.route(skillsRoutes.undeploy, {
      tag,
      rateLimit: TOOL_ROUTE_RATE_LIMIT,
      summary: 'Remove the files Atelier deployed (those still as written) and the folder if left empty; changed and added files are kept and listed',
      handler: ({ body }) => skills.undeploy(body),
    });

    api.route(skillsRoutes.export, {
      tag,
      summary: 'Download the skill folder as a zip (entries under <name>/)',
      handler: async ({ query, res }) => {
        const { name, stream } = await skills.export(query.name);
        res.setHeader('Content-Type', 'application/zip');
        res.setHeader('Content-Disposition', `attachment; filename="${name}.zip"`);
        res.setHeader('Cache-Control', 'no-store');
        await pipeline(stream, res).catch((err) => {
          ctx.log.warn({ err, skill: name }, 'skill export interrupted');
          res.destroy();
        });
        return undefined;
      },
    });

    api.route(skillsRoutes.import, {
      tag,
      rateLimit: TOOL_ROUTE_RATE_LIMIT,
      bodyLimitBytes: SKILL_IMPORT_BODY_LIMIT_BYTES,
      summary: `Import a skill zip sent as base64 (≤ ${SKILL_IMPORT_MAX_ZIP_BYTES} bytes decoded): one skill folder or SKILL.md at the top; unsafe or oversize archives are refused and leave nothing`,
      handler: ({ body }) => {
        // 4 base64 characters carry 3 bytes: refuse before decoding anything too large.
        const decoded = Math.floor((body.data.length * 3) / 4) - (body.data.endsWith('==') ? 2 : body.data.endsWith('=') ? 1 : 0);
        if (decoded > SKILL_IMPORT_MAX_ZIP_BYTES) throw new AppError(413, 'ARCHIVE_TOO_LARGE', `The archive is ${decoded} bytes; at most ${SKILL_IMPORT_MAX_ZIP_BYTES} are accepted`);
        return skills.import(Buffer.from(body.data, 'base64'), body.overwrite ?? false);
      },
    });

    api.route(skillsRoutes.detail, {
      tag,
      summary: 'One skill: its summary, SKILL.md, its files and every validation issue',
      handler: ({ params }) => skills.detail(params.name),
    });

    api.route(skillsRoutes.delete, {
      tag,
      summary: 'Delete an imported skill that is deployed nowhere (built-in skills cannot be deleted)',
      handler: ({ params }) => skills.delete(params.name),
    });
  },
};
