/** Routes of the permissions capability (issue 16): settings and rules, the tester, the audit log, the answer to an approval. */
import { z } from 'zod';
import type { Contract } from '../contract.js';
import {
  ApproveRequestSchema,
  ApproveResponseSchema,
  AuditEntrySchema,
  AuditQuerySchema,
  PermissionCheckRequestSchema,
  PermissionCheckResultSchema,
  PermissionRuleSchema,
  PermissionSettingsSchema,
  RuleIndexParams,
} from '../permissions.js';
import { NoQuery } from './common.js';

export const permissionsRoutes = {
  get: { method: 'get', path: '/api/permissions', query: NoQuery, response: PermissionSettingsSchema },
  put: { method: 'put', path: '/api/permissions', body: PermissionSettingsSchema.partial(), response: PermissionSettingsSchema },
  addRule: { method: 'post', path: '/api/permissions/rules', body: PermissionRuleSchema, response: PermissionSettingsSchema },
  putRule: { method: 'put', path: '/api/permissions/rules/:index', params: RuleIndexParams, body: PermissionRuleSchema, response: PermissionSettingsSchema },
  deleteRule: { method: 'delete', path: '/api/permissions/rules/:index', params: RuleIndexParams, response: PermissionSettingsSchema },
  check: { method: 'post', path: '/api/permissions/check', body: PermissionCheckRequestSchema, response: PermissionCheckResultSchema },
  audit: { method: 'get', path: '/api/permissions/audit', query: AuditQuerySchema, response: z.array(AuditEntrySchema) },
  approve: { method: 'post', path: '/api/chat/approve', body: ApproveRequestSchema, response: ApproveResponseSchema },
} as const satisfies Record<string, Contract>;
