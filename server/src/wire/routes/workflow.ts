/** Routes of the workflow capability (SPEC §7 "Workflows"). */
import type { Contract } from '../contract.js';
import {
  ApproveRequestSchema,
  PlanRequestSchema,
  PlanResponseSchema,
  WorkflowDeletedSchema,
  WorkflowInputSchema,
  WorkflowListSchema,
  WorkflowSchema,
  WorkflowStreamEventSchema,
} from '../workflow.js';
import { IdParams, NoQuery, StreamQuery } from './common.js';

export const workflowRoutes = {
  list: { method: 'get', path: '/api/workflow/list', query: NoQuery, response: WorkflowListSchema },
  create: { method: 'post', path: '/api/workflow', body: WorkflowInputSchema, response: WorkflowSchema },
  plan: { method: 'post', path: '/api/workflow/plan', body: PlanRequestSchema, response: PlanResponseSchema },
  get: { method: 'get', path: '/api/workflow/:id', params: IdParams, query: NoQuery, response: WorkflowSchema },
  replace: { method: 'put', path: '/api/workflow/:id', params: IdParams, body: WorkflowInputSchema, response: WorkflowSchema },
  delete: { method: 'delete', path: '/api/workflow/:id', params: IdParams, response: WorkflowDeletedSchema },
  events: { method: 'get', path: '/api/workflow/:id/events', params: IdParams, query: NoQuery, events: WorkflowStreamEventSchema },
  /** JSON (the workflow once the run stops), or its events with ?stream=true. */
  execute: { method: 'post', path: '/api/workflow/execute/:id', params: IdParams, query: StreamQuery, response: WorkflowSchema, events: WorkflowStreamEventSchema },
  approve: {
    method: 'post',
    path: '/api/workflow/approve/:id',
    params: IdParams,
    query: StreamQuery,
    body: ApproveRequestSchema,
    response: WorkflowSchema,
    events: WorkflowStreamEventSchema,
  },
} as const satisfies Record<string, Contract>;
