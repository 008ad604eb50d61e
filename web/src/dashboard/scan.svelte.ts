/**
 * The tool scan shown on the dashboard, and rescans that stream their progress: the server
 * sends `{progress:{done,total,tool}}` per tool, then `{scan}`, then `{done:"true"}`.
 */
import type { ScanResult, ToolStatus } from '$wire/system';
import { describeError } from '../lib/api';
import { postStream } from '../lib/sse';

/** Replaces one tool of a list (by id), or appends it. */
function upsertTool(tools: readonly ToolStatus[], tool: ToolStatus): ToolStatus[] {
  const index = tools.findIndex((t) => t.id === tool.id);
  return index < 0 ? [...tools, tool] : tools.map((t, i) => (i === index ? tool : t));
}

/** The latest scan plus the state of a running rescan. */
export class ScanState {
  result = $state.raw<ScanResult | null>(null);
  /** The tools to show: the last result, updated tool by tool while a rescan runs. */
  tools = $state.raw<ToolStatus[]>([]);
  running = $state(false);
  progress = $state.raw<{ done: number; total: number; tool: string } | null>(null);
  error = $state('');
  readonly #controller = new AbortController();

  /** Stops following a running rescan (the page is going away; the server finishes it anyway). */
  dispose(): void {
    this.#controller.abort();
  }

  /** Shows a scan read elsewhere (GET /api/dashboard/status). */
  set(result: ScanResult | null): void {
    this.result = result;
    this.tools = result?.tools ?? [];
  }

  /** Rescans (or joins the scan already running) and follows its progress until the result. */
  async rescan(): Promise<void> {
    if (this.running) return;
    const signal = this.#controller.signal;
    this.running = true;
    this.progress = null;
    this.error = '';
    try {
      await postStream('/api/scan', {
        query: { stream: 'true' },
        signal,
        onEvent: (event) => {
          if ('progress' in event) {
            const { done, total, tool } = event.progress;
            this.progress = { done, total, tool: tool.name };
            this.tools = upsertTool(this.tools, tool);
          } else if ('scan' in event) {
            this.set(event.scan);
          } else if ('error' in event) {
            this.error = event.error;
          }
        },
      });
    } catch (err) {
      if (!signal.aborted) this.error = describeError(err);
    } finally {
      this.running = false;
      this.progress = null;
    }
  }
}
