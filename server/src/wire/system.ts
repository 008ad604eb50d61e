/** System, tools and metrics shapes shared by server and studio. */

/** GET /api/info */
export interface InfoResponse {
  name: string;
  version: string;
  author: string;
  sudo_bypass: boolean;
}

/** GET /api/health and /healthz */
export interface HealthResponse {
  status: 'ok';
  version: string;
  /** Seconds since the server started. */
  uptime: number;
}

/** GET /api/system */
export interface SystemInfo {
  /** Node's platform id: linux, darwin, win32, … */
  os: string;
  /** Human name, e.g. "Debian GNU/Linux 12 (bookworm)". */
  os_name: string;
  os_release: string;
  arch: string;
  /** True when running inside Windows Subsystem for Linux. */
  wsl: boolean;
  wsl_distro: string | null;
  shell: string;
  user: string;
  home: string;
  hostname: string;
  node: string;
  cpu_model: string;
  cpu_count: number;
  memory_total_bytes: number;
}

/** One scanned CLI tool. */
export interface ToolStatus {
  id: string;
  name: string;
  category: string;
  found: boolean;
  path: string | null;
  version: string | null;
  /** Why the version could not be read (timeout, exit code), when found but unreadable. */
  error: string | null;
  /** Where to get the tool (from the catalog), e.g. to offer a link when it is missing. */
  homepage: string;
}

/** GET /api/scan, POST /api/scan */
export interface ScanResult {
  started_at: string;
  finished_at: string;
  duration_ms: number;
  tools: ToolStatus[];
}

/** Progress event of POST /api/scan?stream=true (then `{done:"true"}`). */
export interface ScanProgressEvent {
  progress: { done: number; total: number; tool: ToolStatus };
}

/** GET /api/system/metrics */
export interface SystemMetrics {
  timestamp: number;
  cpu: {
    /** Percent busy over the last interval, all cores. */
    total: number;
    per_core: number[];
    load_average: [number, number, number];
  };
  memory: { total_bytes: number; used_bytes: number; available_bytes: number; percent: number };
  /** Bytes per second over the last interval, loopback excluded; null where the OS gives no cheap counter. */
  network: { rx_bytes_per_s: number | null; tx_bytes_per_s: number | null };
  uptime_s: number;
  /** Atelier's own process over the same interval. */
  server: {
    rss_bytes: number;
    /** V8's heap in use, and memory outside it that JavaScript objects hold (Buffers, ArrayBuffers). */
    heap_used_bytes: number;
    external_bytes: number;
    /** Event-loop delay (ms) since the previous sample: how late timers and I/O callbacks ran. */
    event_loop_delay_ms: { p50: number; p99: number; max: number };
  };
}

/** GET /api/dashboard/status */
export interface DashboardStatus {
  info: InfoResponse;
  system: SystemInfo;
  metrics: SystemMetrics;
  scan: ScanResult | null;
  /** True while a scan is running. */
  scanning: boolean;
}
