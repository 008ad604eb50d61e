import { join } from 'node:path';
import { z } from 'zod';
import type { Capability } from '../context.js';
import { AppError } from '../http/errors.js';
import { TerminalSettingsPatchSchema, TerminalSettingsSchema } from '../wire/config.js';
import { TerminalThemeSchema } from '../wire/terminal.js';
import { loadThemes } from './themes.js';

/** Terminal preferences and themes (SPEC §7 "Terminal"); sessions arrive with the terminal issue. */
export const terminalCapability: Capability = {
  name: 'terminal',
  register({ api, ctx }) {
    const themes = loadThemes(join(ctx.rootDir, 'themes'));
    const tag = 'terminal';

    api.route({
      method: 'get',
      path: '/api/terminal/themes',
      tag,
      summary: 'xterm themes from themes/',
      response: z.array(TerminalThemeSchema),
      handler: () => themes,
    });

    api.route({
      method: 'put',
      path: '/api/terminal/settings',
      tag,
      summary: 'Merge terminal preferences (font_size 6..72, theme from themes/)',
      body: TerminalSettingsPatchSchema,
      response: TerminalSettingsSchema,
      handler: ({ body }) => {
        if (body.theme !== undefined && !themes.some((t) => t.name === body.theme)) {
          throw new AppError(400, 'VALIDATION_FAILED', `Invalid body: theme: unknown theme "${body.theme}"`, {
            issues: [{ path: 'theme', message: `unknown theme "${body.theme}"` }],
          });
        }
        return ctx.config.update('terminal', (c) => ({ ...c, terminal: { ...c.terminal, ...body } })).terminal;
      },
    });
  },
};
