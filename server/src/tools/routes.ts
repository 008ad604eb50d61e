import type { Capability } from '../context.js';
import { abortOnDisconnect } from '../http/disconnect.js';
import { TOOL_CALL_BODY_LIMIT_BYTES, TOOL_ROUTE_RATE_LIMIT } from '../limits.js';
import { toolsRoutes } from '../wire/routes/tools.js';
import { TooManyAgentsError } from './agent-tools.js';
import { AppError } from '../http/errors.js';

/** Tools (SPEC §7 "Tools & images"): the list with JSON schemas, and one call at a time. */
export const toolsCapability: Capability = {
  name: 'tools',
  register({ api, services }) {
    const { toolbox, permissions } = services;
    const tag = 'tools';

    api.route(toolsRoutes.list, {
      tag,
      summary: 'The tools a model may call, each with the JSON schema of its arguments',
      handler: () => toolbox.list(),
    });

    api.route(toolsRoutes.call, {
      rateLimit: TOOL_ROUTE_RATE_LIMIT,
      tag,
      summary: "Run one tool as the user: deny rules apply (403 PERMISSION_DENIED), an ask counts as the user's yes; a client that disconnects aborts it",
      bodyLimitBytes: TOOL_CALL_BODY_LIMIT_BYTES,
      handler: async ({ body, res }) => {
        const signal = abortOnDisconnect(res);
        // An unknown name or bad arguments are the toolbox's 404 / 400, not a permission question.
        toolbox.validate(body.name, body.args);
        const verdict = await permissions.authorize({ tool: body.name, args: body.args, source: 'tool_call', onAsk: 'allow' });
        // A sudo command is refused by the tool itself, with its usual sudo_blocked result.
        if (!verdict.allowed && !verdict.decision.sudo_blocked) throw new AppError(403, 'PERMISSION_DENIED', `${body.name} is not run: ${verdict.reason}`);
        try {
          return await toolbox.call(body.name, body.args, signal, { ...(verdict.allowed && verdict.agentScope && { agentScope: verdict.agentScope }) });
        } catch (err) {
          if (err instanceof TooManyAgentsError) res.setHeader('Retry-After', String(err.retryAfterS));
          throw err;
        }
      },
    });
  },
};
