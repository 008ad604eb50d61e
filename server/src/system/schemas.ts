import { z } from 'zod';
import type { DashboardStatus, HealthResponse, InfoResponse, ScanResult, SystemInfo, SystemMetrics, ToolStatus } from '../wire/system.js';

// Each schema is checked against its wire type at the bottom, so the two cannot drift apart.

/** One scanned tool (validates scans read back from SQLite, documents the routes). */
export const ToolStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string(),
  found: z.boolean(),
  path: z.string().nullable(),
  version: z.string().nullable(),
  error: z.string().nullable(),
  homepage: z.string(),
});

/** A completed scan. */
export const ScanResultSchema = z.object({
  started_at: z.string(),
  finished_at: z.string(),
  duration_ms: z.number(),
  tools: z.array(ToolStatusSchema),
});

/** GET /api/health and /healthz. */
export const HealthResponseSchema = z.object({ status: z.literal('ok'), version: z.string(), uptime: z.number() });

/** GET /api/info. */
export const InfoResponseSchema = z.object({ name: z.string(), version: z.string(), author: z.string(), sudo_bypass: z.boolean() });

/** GET /api/system. */
export const SystemInfoSchema = z.object({
  os: z.string(),
  os_name: z.string(),
  os_release: z.string(),
  arch: z.string(),
  wsl: z.boolean(),
  wsl_distro: z.string().nullable(),
  shell: z.string(),
  user: z.string(),
  home: z.string(),
  hostname: z.string(),
  node: z.string(),
  cpu_model: z.string(),
  cpu_count: z.number(),
  memory_total_bytes: z.number(),
});

/** GET /api/system/metrics. */
export const SystemMetricsSchema = z.object({
  timestamp: z.number(),
  cpu: z.object({ total: z.number(), per_core: z.array(z.number()), load_average: z.tuple([z.number(), z.number(), z.number()]) }),
  memory: z.object({ total_bytes: z.number(), used_bytes: z.number(), available_bytes: z.number(), percent: z.number() }),
  network: z.object({ rx_bytes_per_s: z.number().nullable(), tx_bytes_per_s: z.number().nullable() }),
  uptime_s: z.number(),
  server: z.object({ rss_bytes: z.number(), heap_used_bytes: z.number(), external_bytes: z.number(), event_loop_delay_ms: z.object({ p50: z.number(), p99: z.number(), max: z.number() }) }),
});

/** GET /api/dashboard/status. */
export const DashboardStatusSchema = z.object({
  info: InfoResponseSchema,
  system: SystemInfoSchema,
  metrics: SystemMetricsSchema,
  scan: ScanResultSchema.nullable(),
  scanning: z.boolean(),
});

// Compile-time only: `agree<false>` fails to type-check when a schema and its wire type differ.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(): T => true as T;
void agree<Same<z.infer<typeof ToolStatusSchema>, ToolStatus>>;
void agree<Same<z.infer<typeof ScanResultSchema>, ScanResult>>;
void agree<Same<z.infer<typeof HealthResponseSchema>, HealthResponse>>;
void agree<Same<z.infer<typeof InfoResponseSchema>, InfoResponse>>;
void agree<Same<z.infer<typeof SystemInfoSchema>, SystemInfo>>;
void agree<Same<z.infer<typeof SystemMetricsSchema>, SystemMetrics>>;
void agree<Same<z.infer<typeof DashboardStatusSchema>, DashboardStatus>>;
