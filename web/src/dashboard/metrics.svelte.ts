/**
 * Live system metrics for the charts: polls GET /api/system/metrics and keeps a short
 * history. Polling stops while the tab is hidden (nobody is looking, and a background tab
 * should not keep the server sampling) and resumes with an immediate sample when shown.
 */
import type { SystemMetrics } from '$wire/system';
import { api, describeError } from '../lib/api';

/** Points kept per chart: one minute at one sample per second. */
export const HISTORY_POINTS = 60;
/** Time between two samples. */
export const POLL_INTERVAL_MS = 1_000;

/** The chart series, aligned on `times` (seconds since the epoch, as uPlot wants). */
export interface MetricsSeries {
  times: number[];
  cpu: number[];
  memory: number[];
  rx: (number | null)[];
  tx: (number | null)[];
}

const EMPTY: MetricsSeries = { times: [], cpu: [], memory: [], rx: [], tx: [] };

/** Appends one sample, keeping at most HISTORY_POINTS. */
export function appendSample(series: MetricsSeries, m: SystemMetrics): MetricsSeries {
  const keep = <T>(values: T[], value: T): T[] => [...values, value].slice(-HISTORY_POINTS);
  const time = m.timestamp / 1000;
  // The server reuses a sample asked for too soon; the same instant twice would draw a vertical step.
  if (series.times.length > 0 && series.times[series.times.length - 1]! >= time) return series;
  return {
    times: keep(series.times, time),
    cpu: keep(series.cpu, m.cpu.total),
    memory: keep(series.memory, m.memory.percent),
    rx: keep(series.rx, m.network.rx_bytes_per_s),
    tx: keep(series.tx, m.network.tx_bytes_per_s),
  };
}

/** A poller bound to one page: `start` when it mounts, `stop` when it goes. */
export class MetricsPoller {
  latest = $state.raw<SystemMetrics | null>(null);
  series = $state.raw<MetricsSeries>(EMPTY);
  error = $state('');
  paused = $state(false);

  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #inFlight: AbortController | undefined;
  readonly #onVisibility = (): void => {
    if (document.visibilityState === 'hidden') this.#halt();
    else if (this.#running) void this.#tick();
  };

  /** Seeds the history with a sample the page already has (from /api/dashboard/status). */
  seed(metrics: SystemMetrics): void {
    this.latest = metrics;
    this.series = appendSample(this.series, metrics);
  }

  /** Starts polling (at once) until `stop`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    document.addEventListener('visibilitychange', this.#onVisibility);
    if (document.visibilityState === 'hidden') this.paused = true;
    else this.#schedule(0);
  }

  /** Stops polling and cancels a request on its way. */
  stop(): void {
    this.#running = false;
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#halt();
  }

  #halt(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#inFlight?.abort();
    this.#inFlight = undefined;
    this.paused = true;
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), delayMs);
  }

  async #tick(): Promise<void> {
    clearTimeout(this.#timer);
    this.#inFlight?.abort();
    const controller = new AbortController();
    this.#inFlight = controller;
    this.paused = false;
    const startedAt = performance.now();
    try {
      const metrics = await api.get('/api/system/metrics', { signal: controller.signal });
      this.latest = metrics;
      this.series = appendSample(this.series, metrics);
      this.error = '';
    } catch (err) {
      if (controller.signal.aborted) return;
      this.error = describeError(err);
    } finally {
      if (this.#inFlight === controller) this.#inFlight = undefined;
    }
    // Sampling every POLL_INTERVAL_MS from start to start, not end to start, keeps the pace even.
    if (this.#running && document.visibilityState !== 'hidden') this.#schedule(Math.max(0, POLL_INTERVAL_MS - (performance.now() - startedAt)));
  }
}
