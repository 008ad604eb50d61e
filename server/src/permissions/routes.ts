import type { Capability } from '../context.js';
import { AppError } from '../http/errors.js';
import type { PermissionSettings } from '../wire/permissions.js';
import { permissionsRoutes } from '../wire/routes/permissions.js';
import { permissionMigrations } from './audit.js';

/** Permissions (issue 16): the rules in the config, the tester, the audit log, and the answer to an approval. */
export const permissionsCapability: Capability = {
  name: 'permissions',
  migrations: permissionMigrations,
  register({ api, ctx, services }) {
    const { permissions } = services;
    const tag = 'permissions';
    const settings = (): PermissionSettings => ctx.config.get().permissions;
    const update = (reason: string, change: (s: PermissionSettings) => PermissionSettings): PermissionSettings =>
      ctx.config.update(`permissions: ${reason}`, (c) => ({ ...c, permissions: change(c.permissions) })).permissions;
    const ruleAt = (index: number): void => {
      if (index >= settings().rules.length) throw new AppError(404, 'NOT_FOUND', `There is no rule ${index} (there are ${settings().rules.length})`);
    };

    api.route(permissionsRoutes.get, { tag, summary: 'The mode, the approval timeout and the rules', handler: settings });

    api.route(permissionsRoutes.put, {
      tag,
      summary: 'Merge fields into the permission settings (rules replaces the whole list)',
      handler: ({ body }) => update('settings', (s) => ({ ...s, ...body })),
    });

    api.route(permissionsRoutes.addRule, {
      tag,
      summary: 'Add a rule at the end of the list',
      handler: ({ body }) => update('rule added', (s) => ({ ...s, rules: [...s.rules, body] })),
    });

    api.route(permissionsRoutes.putRule, {
      tag,
      summary: 'Replace the rule at index',
      handler: ({ params, body }) => {
        ruleAt(params.index);
        return update(`rule ${params.index} changed`, (s) => ({ ...s, rules: s.rules.map((r, i) => (i === params.index ? body : r)) }));
      },
    });

    api.route(permissionsRoutes.deleteRule, {
      tag,
      summary: 'Delete the rule at index',
      handler: ({ params }) => {
        ruleAt(params.index);
        return update(`rule ${params.index} deleted`, (s) => ({ ...s, rules: s.rules.filter((_, i) => i !== params.index) }));
      },
    });

    api.route(permissionsRoutes.check, {
      tag,
      summary: 'What the policy would decide for a call, without running anything',
      handler: ({ body }) => permissions.check(body.tool, body.args, { ...(body.mode && { mode: body.mode }) }),
    });

    api.route(permissionsRoutes.audit, {
      tag,
      summary: 'Decisions on tool calls, newest first (of one conversation or workflow when given)',
      handler: ({ query }) => permissions.audit.list(query),
    });

    api.route(permissionsRoutes.approve, {
      tag: 'chat',
      summary: 'Answer an approval request: allow_once, allow_always (saves the suggested rules) or deny with a note',
      handler: ({ body }) => {
        const { request, saved_rules } = permissions.answer(body);
        return { id: request.id, decision: body.decision, saved_rules };
      },
    });
  },
};
