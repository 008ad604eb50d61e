/** Routes of the LSP capability (SPEC §7 "LSP, MCP, skills"). */
import type { Contract } from '../contract.js';
import {
  LspAutoInstallEventSchema,
  LspAutoInstallRequestSchema,
  LspAutoInstallResponseSchema,
  LspEditorConfigRequestSchema,
  LspEditorConfigResponseSchema,
  LspHealthQuerySchema,
  LspHealthResponseSchema,
  LspInstallEventSchema,
  LspInstallRequestSchema,
  LspInstallResponseSchema,
  LspListResponseSchema,
} from '../lsp.js';
import { NoQuery, StreamQuery } from './common.js';

export const lspRoutes = {
  list: { method: 'get', path: '/api/lsp', query: NoQuery, response: LspListResponseSchema },
  health: { method: 'get', path: '/api/lsp/health', query: LspHealthQuerySchema, response: LspHealthResponseSchema },
  install: { method: 'post', path: '/api/lsp/install', query: StreamQuery, body: LspInstallRequestSchema, response: LspInstallResponseSchema, events: LspInstallEventSchema },
  autoInstall: {
    method: 'post',
    path: '/api/lsp/auto-install',
    query: StreamQuery,
    body: LspAutoInstallRequestSchema,
    response: LspAutoInstallResponseSchema,
    events: LspAutoInstallEventSchema,
  },
  editorConfig: { method: 'post', path: '/api/lsp/editor-config', body: LspEditorConfigRequestSchema, response: LspEditorConfigResponseSchema },
} as const satisfies Record<string, Contract>;
