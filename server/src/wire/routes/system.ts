/** Routes of the system capability (SPEC §7 "System"): health, this machine, the CLI tool scan, metrics. */
import { z } from 'zod';
import type { Contract } from '../contract.js';
import {
  DashboardStatusSchema,
  HealthResponseSchema,
  InfoResponseSchema,
  ScanResultSchema,
  ScanStreamEventSchema,
  SystemInfoSchema,
  SystemMetricsSchema,
  ToolStatusSchema,
} from '../system.js';
import { NoQuery, StreamQuery } from './common.js';

export const systemRoutes = {
  health: { method: 'get', path: '/api/health', query: NoQuery, response: HealthResponseSchema },
  /** The same answer where probes look for it. */
  healthz: { method: 'get', path: '/healthz', query: NoQuery, response: HealthResponseSchema },
  info: { method: 'get', path: '/api/info', query: NoQuery, response: InfoResponseSchema },
  system: { method: 'get', path: '/api/system', query: NoQuery, response: SystemInfoSchema },
  metrics: { method: 'get', path: '/api/system/metrics', query: NoQuery, response: SystemMetricsSchema },
  tools: { method: 'get', path: '/api/tools', query: NoQuery, response: z.array(ToolStatusSchema) },
  scan: { method: 'get', path: '/api/scan', query: NoQuery, response: ScanResultSchema },
  /** JSON (the scan), or `{progress}` per tool then `{scan}` with ?stream=true. */
  rescan: { method: 'post', path: '/api/scan', query: StreamQuery, response: ScanResultSchema, events: ScanStreamEventSchema },
  dashboard: { method: 'get', path: '/api/dashboard/status', query: NoQuery, response: DashboardStatusSchema },
} as const satisfies Record<string, Contract>;
