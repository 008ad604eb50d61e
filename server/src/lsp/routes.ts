import { join } from 'node:path';
import { z } from 'zod';
import type { Capability } from '../context.js';
import { AppError } from '../http/errors.js';
import { SseWriter } from '../http/sse.js';
import { TOOL_ROUTE_RATE_LIMIT } from '../limits.js';
import {
  LspAutoInstallRequestSchema,
  LspEditorConfigRequestSchema,
  LspHealthQuerySchema,
  LspInstallRequestSchema,
  LspStreamQuerySchema,
  type LspAutoInstallStreamEvent,
  type LspInstallResponse,
  type LspInstallStreamEvent,
} from '../wire/lsp.js';
import { loadVscodeSettings } from './editor-config.js';
import { loadLspRegistry, lspRegistryPath, type LspServerSpec } from './registry.js';
import { LspService, type LspServiceOptions } from './service.js';

const tag = 'lsp';
const NoQuery = z.strictObject({});

/** What a test may swap: the registry (a server that hangs, a package version that does not exist), PATH, timeouts, home. */
export type LspCapabilityOptions = Partial<Pick<LspServiceOptions, 'env' | 'home' | 'handshakeTimeoutMs' | 'installTimeoutMs' | 'versionTimeoutMs' | 'scanLimits' | 'prefixDir'>> & {
  registry?: readonly LspServerSpec[];
};

function errorEvent(err: unknown): { error: string; code: string } {
  return err instanceof AppError ? { error: err.message, code: err.code } : { error: 'Internal server error', code: 'INTERNAL' };
}

/**
 * Language servers (SPEC §7 "LSP, MCP, skills"). The registry is validated when the server starts:
 * a malformed entry stops it, naming the entry.
 */
export function createLspCapability(options: LspCapabilityOptions = {}): Capability {
  return {
    name: 'lsp',
    register({ api, ctx }) {
      const service = new LspService({
        ...options,
        registry: options.registry ?? loadLspRegistry(lspRegistryPath(ctx.rootDir)),
        prefixDir: options.prefixDir ?? join(ctx.paths.dataDir, 'lsp'),
        vscodeSettings: loadVscodeSettings(ctx.rootDir),
        clientVersion: ctx.version,
        lifecycle: ctx.lifecycle,
        log: ctx.log,
      });

      api.route({
        method: 'get',
        path: '/api/lsp',
        tag,
        summary: 'Every registry language server: installed (managed prefix first, then PATH), path, version, install method, installable here',
        query: NoQuery,
        handler: () => service.list(),
      });

      api.route({
        method: 'get',
        path: '/api/lsp/health',
        tag,
        summary: 'A real initialize/shutdown handshake over stdio with each installed server (or ?id=): latency, serverInfo, providers',
        query: LspHealthQuerySchema,
        handler: ({ query }) => service.health(query.id),
      });

      api.route({
        method: 'post',
        path: '/api/lsp/install',
        tag,
        streams: true,
        rateLimit: TOOL_ROUTE_RATE_LIMIT,
        summary: 'Install a server into the managed prefix; JSON when done, or SSE progress with ?stream=true (404 UNKNOWN_SERVER, 409 INSTALL_IN_PROGRESS, 422 SYSTEM_PACKAGE / NEEDS_TOOLCHAIN, 502 INSTALL_FAILED)',
        query: LspStreamQuerySchema,
        body: LspInstallRequestSchema,
        handler: async ({ body, query, req, res }): Promise<LspInstallResponse | undefined> => {
          // Checks run before the stream opens, so a refusal is a plain HTTP error either way.
          const job = await service.beginInstall(body.id);
          if (query.stream !== 'true') {
            const { state, output } = await job.run(() => {});
            return { installed: state, output };
          }
          const sse = new SseWriter(res);
          const send = (event: LspInstallStreamEvent): void => sse.send(event);
          try {
            // A client that leaves does not stop the install: it finishes and is recorded, GET /api/lsp shows it.
            const { state } = await job.run((progress) => send({ progress }));
            send({ installed: state });
          } catch (err) {
            if (!(err instanceof AppError)) ctx.log.error({ err, server: body.id }, 'language server install crashed');
            send(errorEvent(err));
          }
          sse.done();
          return undefined;
        },
      });

      api.route({
        method: 'post',
        path: '/api/lsp/auto-install',
        tag,
        streams: true,
        rateLimit: TOOL_ROUTE_RATE_LIMIT,
        summary: "Detect a project's languages (project_dir inside home) and install the servers it lacks; dry_run only reports; SSE with ?stream=true",
        query: LspStreamQuerySchema,
        body: LspAutoInstallRequestSchema,
        handler: async ({ body, query, req, res }) => {
          const job = await service.beginAutoInstall(body);
          if (query.stream !== 'true') return job.run(() => {});
          const sse = new SseWriter(res);
          const send = (event: LspAutoInstallStreamEvent): void => sse.send(event);
          try {
            send({ result: await job.run((progress) => send({ progress })) });
          } catch (err) {
            if (!(err instanceof AppError)) ctx.log.error({ err }, 'language server auto-install crashed');
            send(errorEvent(err));
          }
          sse.done();
          return undefined;
        },
      });

      api.route({
        method: 'post',
        path: '/api/lsp/editor-config',
        tag,
        summary: 'Generate (and with write:true, merge into the project) the LSP config of VS Code, Neovim, Helix or Zed for the installed servers',
        body: LspEditorConfigRequestSchema,
        handler: ({ body }) => service.editorConfig(body),
      });
    },
  };
}

/** The capability as app.ts registers it: the shipped registry, the real PATH and timeouts. */
export const lspCapability: Capability = createLspCapability();
