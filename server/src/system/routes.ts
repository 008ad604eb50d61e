import type { AppContext, StartCapability } from '../context.js';
import { streamOrJson } from '../http/stream.js';
import { systemRoutes } from '../wire/routes/system.js';
import type { HealthResponse, InfoResponse } from '../wire/system.js';
import { loadToolCatalog, toolCatalogPath } from './catalog.js';
import { systemInfo } from './info.js';
import { MetricsSampler } from './metrics.js';
import { systemMigrations } from './migrations.js';
import { ScanService } from './scan-service.js';
import { ScanStore } from './scan-store.js';

function health(ctx: AppContext): HealthResponse {
  return { status: 'ok', version: ctx.version, uptime: Math.floor((Date.now() - ctx.startedAt) / 1000) };
}

function info(ctx: AppContext): InfoResponse {
  return { name: ctx.name, version: ctx.version, author: ctx.author, sudo_bypass: ctx.config.get().profile.sudo_bypass };
}

/** Health, machine description, CLI tool scan and live metrics (SPEC §7 "System"). */
export const systemCapability: StartCapability = {
  name: 'system',
  migrations: systemMigrations,
  register({ api, ctx }) {
    const tag = 'system';
    const scans = new ScanService({
      catalog: loadToolCatalog(toolCatalogPath(ctx.rootDir)),
      store: new ScanStore(ctx.db),
      lifecycle: ctx.lifecycle,
      log: ctx.log,
    });
    const metrics = new MetricsSampler();
    ctx.lifecycle.onClose(() => metrics.close());
    // The persisted scan answers at once; a fresh one starts after the server is listening.
    if (ctx.scanToolsAtStart) scans.startInBackground();

    const healthSummary = 'Liveness: status, version, uptime in seconds (public)';
    api.route(systemRoutes.health, { tag, summary: healthSummary, handler: () => health(ctx) });
    api.route(systemRoutes.healthz, { tag, summary: healthSummary, handler: () => health(ctx) });
    api.route(systemRoutes.info, { tag, summary: 'Name, version, author and the sudo bypass flag', handler: () => info(ctx) });
    api.route(systemRoutes.system, { tag, summary: 'OS, arch, WSL, shell, user, CPU and memory of this machine', handler: () => systemInfo() });
    api.route(systemRoutes.metrics, { tag, summary: 'CPU total and per core, memory, network rates', handler: () => metrics.sample() });

    api.route(systemRoutes.tools, {
      tag,
      summary: 'Scanned CLI tools (waits for the first scan when none has completed)',
      handler: async () => (await scans.current()).tools,
    });
    api.route(systemRoutes.scan, {
      tag,
      summary: 'The last tool scan (waits for the first scan when none has completed)',
      handler: () => scans.current(),
    });
    api.route(systemRoutes.rescan, {
      tag,
      summary: 'Rescan tools (joins a running scan); ?stream=true sends {progress} per tool, then {scan}',
      handler: ({ query, sse }) =>
        streamOrJson(
          { stream: query.stream === 'true', sse, log: ctx.log, context: { route: 'scan' } },
          (send) => scans.rescan((progress) => send({ progress })),
          (scan) => ({ scan }),
        ),
    });

    api.route(systemRoutes.dashboard, {
      tag,
      summary: 'Info, system, metrics and the last scan in one call (never waits for a scan)',
      handler: () => ({ info: info(ctx), system: systemInfo(), metrics: metrics.sample(), scan: scans.latest, scanning: scans.scanning }),
    });
  },
};
