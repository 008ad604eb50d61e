import { join } from 'node:path';
import type { Capability } from '../context.js';
import { streamOrJson } from '../http/stream.js';
import { TOOL_ROUTE_RATE_LIMIT } from '../limits.js';
import { lspRoutes } from '../wire/routes/lsp.js';
import { loadVscodeSettings } from './editor-config.js';
import { loadLspRegistry, lspRegistryPath, type LspServerSpec } from './registry.js';
import { LspService, type LspServiceOptions } from './service.js';

const tag = 'lsp';

/** What a test may swap: the registry (a server that hangs, a package version that does not exist), PATH, timeouts, home. */
export type LspCapabilityOptions = Partial<Pick<LspServiceOptions, 'env' | 'home' | 'handshakeTimeoutMs' | 'installTimeoutMs' | 'versionTimeoutMs' | 'scanLimits' | 'prefixDir'>> & {
  registry?: readonly LspServerSpec[];
};

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

      api.route(lspRoutes.list, {
        tag,
        summary: 'Every registry language server: installed (managed prefix first, then PATH), path, version, install method, installable here',
        handler: () => service.list(),
      });

      api.route(lspRoutes.health, {
        tag,
        summary: 'A real initialize/shutdown handshake over stdio with each installed server (or ?id=): latency, serverInfo, providers',
        handler: ({ query }) => service.health(query.id),
      });

      api.route(lspRoutes.install, {
        tag,
        rateLimit: TOOL_ROUTE_RATE_LIMIT,
        summary: 'Install a server into the managed prefix; JSON when done, or SSE progress with ?stream=true (404 UNKNOWN_SERVER, 409 INSTALL_IN_PROGRESS, 422 SYSTEM_PACKAGE / NEEDS_TOOLCHAIN, 502 INSTALL_FAILED)',
        handler: async ({ body, query, sse }) => {
          // Checks run before the stream opens, so a refusal is a plain HTTP error either way.
          const job = await service.beginInstall(body.id);
          // A client that leaves does not stop the install: it finishes and is recorded, GET /api/lsp shows it.
          return streamOrJson(
            { stream: query.stream === 'true', sse, log: ctx.log, context: { server: body.id } },
            async (send) => {
              const { state, output } = await job.run((progress) => send({ progress }));
              return { installed: state, output };
            },
            ({ installed }) => ({ installed }),
          );
        },
      });

      api.route(lspRoutes.autoInstall, {
        tag,
        rateLimit: TOOL_ROUTE_RATE_LIMIT,
        summary: "Detect a project's languages (project_dir inside home) and install the servers it lacks; dry_run only reports; SSE with ?stream=true",
        handler: async ({ body, query, sse }) => {
          const job = await service.beginAutoInstall(body);
          return streamOrJson(
            { stream: query.stream === 'true', sse, log: ctx.log, context: { project_dir: body.project_dir } },
            (send) => job.run((progress) => send({ progress })),
            (result) => ({ result }),
          );
        },
      });

      api.route(lspRoutes.editorConfig, {
        tag,
        summary: 'Generate (and with write:true, merge into the project) the LSP config of VS Code, Neovim, Helix or Zed for the installed servers',
        handler: ({ body }) => service.editorConfig(body),
      });
    },
  };
}

/** The capability as app.ts registers it: the shipped registry, the real PATH and timeouts. */
export const lspCapability: Capability = createLspCapability();
