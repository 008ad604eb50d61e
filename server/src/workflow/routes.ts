import type { Capability } from '../context.js';
import type { SseWriter } from '../http/sse.js';
import { streamEvents } from '../http/stream.js';
import { LLM_ROUTE_RATE_LIMIT, TOOL_ROUTE_RATE_LIMIT } from '../limits.js';
import { resolveProvider } from '../providers/index.js';
import { workflowRoutes } from '../wire/routes/workflow.js';
import type { Workflow, WorkflowStreamEvent } from '../wire/workflow.js';
import { WorkflowExecutor } from './executor.js';
import { workflowMigrations } from './migrations.js';
import { planWorkflow } from './planner.js';
import { isRiskyStep } from './risk.js';
import { StepRunner } from './step-runner.js';
import { WorkflowStore } from './store.js';

const tag = 'workflow';

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

    /** Sends the workflow as it stands, then its run's events until the run stops (or the client goes). */
    const relay = (id: string, sse: SseWriter<WorkflowStreamEvent>): Promise<void> =>
      streamEvents(sse, ctx.log, { workflow: id }, async (send) => {
        const subscription = executor.subscribe(id, send);
        sse.signal.addEventListener('abort', subscription.unsubscribe, { once: true });
        send({ workflow: subscription.snapshot });
        await subscription.ended;
        subscription.unsubscribe();
      });

    /** Streams the run (`stream`), or answers the workflow as JSON once the run has stopped. */
    const follow = async (id: string, stream: boolean, sse: () => SseWriter<WorkflowStreamEvent>): Promise<Workflow | undefined> => {
      if (stream) {
        await relay(id, sse());
        return undefined;
      }
      await executor.subscribe(id, () => {}).ended;
      return store.require(id);
    };

    api.route(workflowRoutes.list, { tag, summary: 'Workflows, most recently changed first', handler: () => ({ workflows: store.list() }) });

    api.route(workflowRoutes.create, {
      tag,
      summary: 'Create a draft workflow from a title, an optional goal and steps',
      handler: ({ body }) => store.create(body),
    });

    api.route(workflowRoutes.plan, {
      tag,
      rateLimit: LLM_ROUTE_RATE_LIMIT,
      summary: 'Plan a workflow for a goal with the active (or given) provider; saves it as a draft (422 PLAN_INVALID after two invalid answers)',
      handler: async ({ body }) => {
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

    api.route(workflowRoutes.get, {
      tag,
      summary: 'One workflow with its steps, their output and its run history',
      handler: ({ params }) => store.require(params.id),
    });

    api.route(workflowRoutes.replace, {
      tag,
      summary: 'Replace the title, goal and steps of a workflow that is not running (409 WORKFLOW_BUSY)',
      handler: ({ params, body }) => store.replace(params.id, body),
    });

    api.route(workflowRoutes.delete, {
      tag,
      summary: 'Delete a workflow that is not running (409 WORKFLOW_BUSY)',
      handler: ({ params }) => {
        store.delete(params.id);
        return { deleted: true } as const;
      },
    });

    api.route(workflowRoutes.events, {
      tag,
      summary: 'SSE: the workflow as it stands, then its run events until the run stops',
      handler: async ({ params, sse }) => {
        store.require(params.id); // an unknown workflow is a 404, before the stream opens
        await relay(params.id, sse());
        return undefined;
      },
    });

    api.route(workflowRoutes.execute, {
      tag,
      rateLimit: TOOL_ROUTE_RATE_LIMIT,
      summary: 'Run a workflow on the server; JSON when the run stops, or SSE with ?stream=true (409 WORKFLOW_BUSY)',
      handler: ({ params, query, sse }) => {
        executor.execute(params.id);
        return follow(params.id, query.stream === 'true', sse);
      },
    });

    api.route(workflowRoutes.approve, {
      tag,
      rateLimit: TOOL_ROUTE_RATE_LIMIT,
      summary: 'Approve (run it and continue) or reject (stop the workflow) the step awaiting approval (409 NOTHING_TO_APPROVE)',
      handler: ({ params, query, body, sse }) => {
        executor.approve(params.id, body.approve, body.note ?? null);
        return follow(params.id, query.stream === 'true', sse);
      },
    });
  },
};
