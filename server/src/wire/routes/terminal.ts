/** HTTP routes of the terminal capability (SPEC §7 "Terminal"); the PTY WebSocket is described in wire/terminal.ts. */
import { z } from 'zod';
import type { Contract } from '../contract.js';
import { TerminalSettingsPatchSchema, TerminalSettingsSchema } from '../config.js';
import {
  SshConnectionInputSchema,
  SshConnectionNameParamsSchema,
  SshConnectionPublicSchema,
  SshHostKeyActionSchema,
  SshHostKeyProbeSchema,
  TerminalSessionsResponseSchema,
  TerminalThemeSchema,
} from '../terminal.js';
import { NoContentSchema, NoQuery } from './common.js';

export const terminalRoutes = {
  sessions: { method: 'get', path: '/api/terminal/sessions', query: NoQuery, response: TerminalSessionsResponseSchema },
  saveConnection: { method: 'post', path: '/api/terminal/sessions', body: SshConnectionInputSchema, response: SshConnectionPublicSchema },
  deleteConnection: { method: 'delete', path: '/api/terminal/sessions/:name', params: SshConnectionNameParamsSchema, response: NoContentSchema },
  /** `probe` answers the probe; `pin` and `forget` answer the connection as saved. */
  hostKey: {
    method: 'post',
    path: '/api/terminal/sessions/:name/host-key',
    params: SshConnectionNameParamsSchema,
    body: SshHostKeyActionSchema,
    response: z.union([SshHostKeyProbeSchema, SshConnectionPublicSchema]),
  },
  themes: { method: 'get', path: '/api/terminal/themes', query: NoQuery, response: z.array(TerminalThemeSchema) },
  settings: { method: 'put', path: '/api/terminal/settings', body: TerminalSettingsPatchSchema, response: TerminalSettingsSchema },
} as const satisfies Record<string, Contract>;
