import { z } from 'zod';
import type { AppContext, Capability } from '../context.js';
import { SseWriter } from '../http/sse.js';
import type { HealthResponse, InfoResponse, ScanProgressEvent, ScanResult } from '../wire/system.js';
import { loadToolCatalog, toolCatalogPath } from './catalog.js';
import { systemInfo } from './info.js';
import { MetricsSampler } from './metrics.js';
import { systemMigrations } from './migrations.js';
import { ScanService } from './scan-service.js';
import { ScanStore } from './scan-store.js';
import {
  DashboardStatusSchema,
  HealthResponseSchema,
  InfoResponseSchema,
  ScanResultSchema,
  SystemInfoSchema,
  SystemMetricsSchema,
  ToolStatusSchema,
} from './schemas.js';

const NoQuery = z.strictObject({});
const ScanQuery = z.strictObject({
  /** "true" answers with an SSE stream of progress events instead of one JSON body. */
  stream: z.enum(['true', 'false']).optional(),
});

function health(ctx: AppContext): HealthResponse {
  return { status: 'ok', version: ctx.version, uptime: Math.floor((Date.now() - ctx.startedAt) / 1000) };
}

function info(ctx: AppContext): InfoResponse {
  return { name: ctx.name, version: ctx.version, author: ctx.author, sudo_bypass: ctx.config.get().profile.sudo_bypass };
}

/** Health, machine description, CLI tool scan and live metrics (SPEC §7 "System"). */
export const systemCapability: Capability = {
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

    for (const path of ['/api/health', '/healthz']) {
      api.route({ method: 'get', path, tag, summary: 'Liveness: status, version, uptime in seconds (public)', query: NoQuery, response: HealthResponseSchema, handler: () => health(ctx) });
    }
    api.route({ method: 'get', path: '/api/info', tag, summary: 'Name, version, author and the sudo bypass flag', query: NoQuery, response: InfoResponseSchema, handler: () => info(ctx) });
    api.route({ method: 'get', path: '/api/system', tag, summary: 'OS, arch, WSL, shell, user, CPU and memory of this machine', query: NoQuery, response: SystemInfoSchema, handler: () => systemInfo() });
    api.route({ method: 'get', path: '/api/system/metrics', tag, summary: 'CPU total and per core, memory, network rates', query: NoQuery, response: SystemMetricsSchema, handler: () => metrics.sample() });

    api.route({
      method: 'get',
      path: '/api/tools',
      tag,
      summary: 'Scanned CLI tools (waits for the first scan when none has completed)',
      query: NoQuery,
      response: z.array(ToolStatusSchema),
      handler: async () => (await scans.current()).tools,
    });
    api.route({
      method: 'get',
      path: '/api/scan',
      tag,
      summary: 'The last tool scan (waits for the first scan when none has completed)',
      query: NoQuery,
      response: ScanResultSchema,
      handler: () => scans.current(),
    });
    api.route({
      method: 'post',
      path: '/api/scan',
      tag,
      summary: 'Rescan tools (joins a running scan); ?stream=true sends {progress} per tool, then {scan}',
      query: ScanQuery,
      streams: true,
      handler: async ({ query, req, res }) => {
        if (query.stream !== 'true') return scans.rescan();
        const sse = new SseWriter(res);
        const scan = await scans.rescan((progress) => sse.send({ progress } satisfies ScanProgressEvent));
        sse.send({ scan } satisfies { scan: ScanResult });
        sse.done();
        return undefined;
      },
    });

    api.route({
      method: 'get',
      path: '/api/dashboard/status',
      tag,
      summary: 'Info, system, metrics and the last scan in one call (never waits for a scan)',
      query: NoQuery,
      response: DashboardStatusSchema,
      handler: () => ({ info: info(ctx), system: systemInfo(), metrics: metrics.sample(), scan: scans.latest, scanning: scans.scanning }),
    });
  },
};
