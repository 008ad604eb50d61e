/** Routes of the skills capability (SPEC §7 "LSP, MCP, skills"). */
import type { Contract } from '../contract.js';
import {
  DeploySkillRequestSchema,
  ExportSkillQuerySchema,
  ImportSkillRequestSchema,
  SkillDeleteResultSchema,
  SkillDeployResultSchema,
  SkillDetailSchema,
  SkillImportResultSchema,
  SkillListSchema,
  SkillNameParamsSchema,
  SkillTestResultSchema,
  SkillUndeployResultSchema,
  SkillValidationSchema,
  TestSkillRequestSchema,
  UndeploySkillRequestSchema,
  ValidateSkillRequestSchema,
} from '../skills.js';
import { NoQuery } from './common.js';

export const skillsRoutes = {
  list: { method: 'get', path: '/api/skills', query: NoQuery, response: SkillListSchema },
  validate: { method: 'post', path: '/api/skills/validate', body: ValidateSkillRequestSchema, response: SkillValidationSchema },
  test: { method: 'post', path: '/api/skills/test', body: TestSkillRequestSchema, response: SkillTestResultSchema },
  deploy: { method: 'post', path: '/api/skills/deploy', body: DeploySkillRequestSchema, response: SkillDeployResultSchema },
  undeploy: { method: 'post', path: '/api/skills/undeploy', body: UndeploySkillRequestSchema, response: SkillUndeployResultSchema },
  /** A zip download. */
  export: { method: 'get', path: '/api/skills/export', query: ExportSkillQuerySchema, file: ['application/zip'] },
  import: { method: 'post', path: '/api/skills/import', body: ImportSkillRequestSchema, response: SkillImportResultSchema },
  detail: { method: 'get', path: '/api/skills/:name', params: SkillNameParamsSchema, query: NoQuery, response: SkillDetailSchema },
  delete: { method: 'delete', path: '/api/skills/:name', params: SkillNameParamsSchema, response: SkillDeleteResultSchema },
} as const satisfies Record<string, Contract>;
