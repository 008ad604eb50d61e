import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Capability } from '../context.js';
import { SseWriter } from '../http/sse.js';
import { LLM_ROUTE_RATE_LIMIT, TOOL_ROUTE_RATE_LIMIT } from '../limits.js';
import { resolveProvider } from '../providers/index.js';
import {
  ApproveRequestSchema,
  PlanRequestSchema,
  StreamQuerySchema,
  WorkflowIdParamsSchema,
  WorkflowInputSchema,
  type PlanResponse,
  type Workflow,
} from '../wire/workflow.js';
import { WorkflowExecutor } from './executor.js';
import { workflowMigrations } from './migrations.js';
import { planWorkflow } from './planner.js';
import { isRiskyStep } from './risk.js';
import { StepRunner } from './step-runner.js';
import { WorkflowStore } from './store.js';

const tag = 'workflow';
const NoQuery = z.strictObject({});

/** Workflows (SPEC §7 "Workflows"): drafts, the LLM planner, server-side runs with approval gates. */
export const workflowCapability: Capability = {
  name: 'workflow',
  migrations: workflowMigrations,
  register({ api, ctx, services }) {
    const store = new WorkflowStore(ctx.db);
    const interrupted = store.recoverInterrupted();
    if (interrupted.length > 0) ctx.log.warn({ workflows: interrupted }, 'workflows interrupted by the last shutdown marked failed');
    const { toolbox, mcp, permissions } = services;
    const executor = new WorkflowExecutor(store, new StepRunner(toolbox, ctx.config, ctx.db, mcp, permissions), ctx.lifecycle, ctx.log);

    /** Streams the workflow's events until the run stops, or answers the workflow as JSON once it has. */
    const follow = async (id: string, stream: boolean, req: Request, res: Response): Promise<Workflow | undefined> => {
      if (!stream) {
        const subscription = executor.subscribe(id, () => {});
        await subscription.ended;
        return store.require(id);
      }
      const sse = new SseWriter(res);
      const subscription = executor.subscribe(id, (event) => sse.send(event));
      sse.signal.addEventListener('abort', subscription.unsubscribe, { once: true });
      sse.send({ workflow: subscription.snapshot });
      await subscription.ended;
      subscription.unsubscribe();
      sse.done();
      return undefined;
    };

    api.route({ method: 'get', path: '/api/workflow/list', tag, summary: 'Workflows, most recently changed first', query: NoQuery, handler: () => ({ workflows: store.list() }) });

    api.route({
      method: 'post',
      path: '/api/workflow',
      tag,
      summary: 'Create a draft workflow from a title, an optional goal and steps',
      body: WorkflowInputSchema,
      handler: ({ body }) => store.create(body),
    });

    api.route({
      method: 'post',
      path: '/api/workflow/plan',
      tag,
      rateLimit: LLM_ROUTE_RATE_LIMIT,
      summary: 'Plan a workflow for a goal with the active (or given) provider; saves it as a draft (422 PLAN_INVALID after two invalid answers)',
      body: PlanRequestSchema,
      handler: async ({ body }): Promise<PlanResponse> => {
        const config = ctx.config.get();
        const { provider, model } = resolveProvider(config, { provider: body.provider, model: body.model });
        const { plan, attempts } = await planWorkflow(ctx.db, {
          goal: body.goal,
          context: body.context,
          provider,
          model,
          tools: toolbox.list(),
          sudoAllowed: config.profile.sudo_bypass,
        });
        const workflow = store.create({ title: plan.title, goal: body.goal, steps: plan.steps });
        const waived = workflow.steps.filter((step, i) => plan.steps[i]?.requires_approval === false && isRiskyStep(step)).map((s) => s.id);
        return { workflow, approval_waived: waived, attempts };
      },
    });

    api.route({
      method: 'get',
      path: '/api/workflow/:id',
      tag,
      summary: 'One workflow with its steps, their output and its run history',
      params: WorkflowIdParamsSchema,
      query: NoQuery,
      handler: ({ params }) => store.require(params.id),
    });

    api.route({
      method: 'put',
      path: '/api/workflow/:id',
      tag,
      summary: 'Replace the title, goal and steps of a workflow that is not running (409 WORKFLOW_BUSY)',
      params: WorkflowIdParamsSchema,
      body: WorkflowInputSchema,
      handler: ({ params, body }) => store.replace(params.id, body),
    });

    api.route({
      method: 'delete',
      path: '/api/workflow/:id',
      tag,
      summary: 'Delete a workflow that is not running (409 WORKFLOW_BUSY)',
      params: WorkflowIdParamsSchema,
      handler: ({ params }) => {
        store.delete(params.id);
        return { deleted: true };
      },
    });

    api.route({
      method: 'get',
      path: '/api/workflow/:id/events',
      tag,
      streams: true,
      summary: 'SSE: the workflow as it stands, then its run events until the run stops',
      params: WorkflowIdParamsSchema,
      query: NoQuery,
      handler: ({ params, req, res }) => follow(params.id, true, req, res),
    });

    api.route({
      method: 'post',
      path: '/api/workflow/execute/:id',
      tag,
      streams: true,
      rateLimit: TOOL_ROUTE_RATE_LIMIT,
      summary: 'Run a workflow on the server; JSON when the run stops, or SSE with ?stream=true (409 WORKFLOW_BUSY)',
      params: WorkflowIdParamsSchema,
      query: StreamQuerySchema,
      handler: ({ params, query, req, res }) => {
        executor.execute(params.id);
        return follow(params.id, query.stream === 'true', req, res);
      },
    });

    api.route({
      method: 'post',
      path: '/api/workflow/approve/:id',
      tag,
      streams: true,
      rateLimit: TOOL_ROUTE_RATE_LIMIT,
      summary: 'Approve (run it and continue) or reject (stop the workflow) the step awaiting approval (409 NOTHING_TO_APPROVE)',
      params: WorkflowIdParamsSchema,
      query: StreamQuerySchema,
      body: ApproveRequestSchema,
      handler: ({ params, query, body, req, res }) => {
        executor.approve(params.id, body.approve, body.note ?? null);
        return follow(params.id, query.stream === 'true', req, res);
      },
    });
  },
};
