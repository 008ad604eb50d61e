/** System, tools and metrics shapes shared by server and studio. */
import { z } from 'zod';

/** GET /api/info */
export const InfoResponseSchema = z.object({ name: z.string(), version: z.string(), author: z.string(), sudo_bypass: z.boolean() });
export type InfoResponse = z.infer<typeof InfoResponseSchema>;

/** GET /api/health and /healthz */
export const HealthResponseSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  /** Seconds since the server started. */
  uptime: z.number(),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/** GET /api/system */
export const SystemInfoSchema = z.object({
  /** Node's platform id: linux, darwin, win32, … */
  os: z.string(),
  /** Human name, e.g. "Debian GNU/Linux 12 (bookworm)". */
  os_name: z.string(),
  os_release: z.string(),
  arch: z.string(),
  /** True when running inside Windows Subsystem for Linux. */
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
export type SystemInfo = z.infer<typeof SystemInfoSchema>;

/** One scanned CLI tool (also validates scans read back from SQLite). */
export const ToolStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string(),
  found: z.boolean(),
  path: z.string().nullable(),
  version: z.string().nullable(),
  /** Why the version could not be read (timeout, exit code), when found but unreadable. */
  error: z.string().nullable(),
  /** Where to get the tool (from the catalog), e.g. to offer a link when it is missing. */
  homepage: z.string(),
});
export type ToolStatus = z.infer<typeof ToolStatusSchema>;

/** GET /api/scan, POST /api/scan: a completed scan. */
export const ScanResultSchema = z.object({
  started_at: z.string(),
  finished_at: z.string(),
  duration_ms: z.number(),
  tools: z.array(ToolStatusSchema),
});
export type ScanResult = z.infer<typeof ScanResultSchema>;

/** Progress event of POST /api/scan?stream=true: one tool scanned. */
export const ScanProgressEventSchema = z.object({
  progress: z.object({ done: z.number().int(), total: z.number().int(), tool: ToolStatusSchema }),
});
export type ScanProgressEvent = z.infer<typeof ScanProgressEventSchema>;

/** The events of POST /api/scan?stream=true: `{progress}` per tool, then the `{scan}` (then `{done:"true"}`). */
export const ScanStreamEventSchema = z.union([ScanProgressEventSchema, z.object({ scan: ScanResultSchema })]);

/** GET /api/system/metrics */
export const SystemMetricsSchema = z.object({
  timestamp: z.number(),
  cpu: z.object({
    /** Percent busy over the last interval, all cores. */
    total: z.number(),
    per_core: z.array(z.number()),
    load_average: z.tuple([z.number(), z.number(), z.number()]),
  }),
  memory: z.object({ total_bytes: z.number(), used_bytes: z.number(), available_bytes: z.number(), percent: z.number() }),
  /** Bytes per second over the last interval, loopback excluded; null where the OS gives no cheap counter. */
  network: z.object({ rx_bytes_per_s: z.number().nullable(), tx_bytes_per_s: z.number().nullable() }),
  uptime_s: z.number(),
  /** Atelier's own process over the same interval. */
  server: z.object({
    rss_bytes: z.number(),
    /** V8's heap in use, and memory outside it that JavaScript objects hold (Buffers, ArrayBuffers). */
    heap_used_bytes: z.number(),
    external_bytes: z.number(),
    /** Event-loop delay (ms) since the previous sample: how late timers and I/O callbacks ran. */
    event_loop_delay_ms: z.object({ p50: z.number(), p99: z.number(), max: z.number() }),
  }),
});
export type SystemMetrics = z.infer<typeof SystemMetricsSchema>;

/** GET /api/dashboard/status */
export const DashboardStatusSchema = z.object({
  info: InfoResponseSchema,
  system: SystemInfoSchema,
  metrics: SystemMetricsSchema,
  scan: ScanResultSchema.nullable(),
  /** True while a scan is running. */
  scanning: z.boolean(),
});
export type DashboardStatus = z.infer<typeof DashboardStatusSchema>;
