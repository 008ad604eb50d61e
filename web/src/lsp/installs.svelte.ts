/**
 * Installs under way or just finished, one per server: the installer's output as it streams
 * (POST /api/lsp/install?stream=true), the phase it is in, and how it ended. Installs go on
 * while the user looks at another page; the page shows them again on return.
 */
import type { LspInstallMethod, LspInstallPhase } from '$wire/lsp';
import { describeError } from '../lib/api';
import { t } from '../lib/i18n.svelte';
import { postStream } from '../lib/sse';
import { editorConfig } from './editor-config.svelte';
import { lspServers } from './servers.svelte';

/** Lines kept per install log; older ones scroll out (npm can print thousands). */
const LOG_MAX_LINES = 500;

/** The phases an install of each method goes through, in order (the wire's LspInstallPhase). */
const METHOD_PHASES: Record<Exclude<LspInstallMethod, 'system'>, LspInstallPhase[]> = {
  npm: ['queued', 'npm', 'verify'],
  go: ['queued', 'go', 'verify'],
  pip: ['queued', 'venv', 'pip', 'verify'],
  rustup: ['queued', 'rustup', 'verify'],
};

/** One install and what it printed. */
export interface InstallRun {
  method: LspInstallMethod;
  phase: LspInstallPhase | null;
  lines: string[];
  state: 'running' | 'installed' | 'failed';
  error: string;
}

/**
 * How far an install is, 0–1: each phase reached counts one step, the end one more. Phases are
 * what the server reports, so the bar moves only when the installer really moved on.
 */
export function installProgress(run: InstallRun): number {
  if (run.state !== 'running') return 1;
  const phases = run.method === 'system' ? [] : METHOD_PHASES[run.method];
  const reached = run.phase ? phases.indexOf(run.phase) + 1 : 0;
  return reached / (phases.length + 1);
}

class LspInstalls {
  /** Server id → its latest install. */
  runs = $state<Record<string, InstallRun>>({});

  /** Whether `id` is being installed now. */
  busy(id: string): boolean {
    return this.runs[id]?.state === 'running';
  }

  /** Installs a server, streaming its output; on success the list is read again and the server's health checked. */
  async install(id: string, method: LspInstallMethod): Promise<void> {
    if (this.busy(id)) return;
    this.runs[id] = { method, phase: null, lines: [], state: 'running', error: '' };
    const run = this.runs[id]!;
    let ended = false;
    try {
      await postStream('/api/lsp/install', {
        query: { stream: 'true' },
        body: { id },
        onEvent: (event) => {
          if ('progress' in event) {
            run.phase = event.progress.phase;
            run.lines.push(event.progress.line);
            if (run.lines.length > LOG_MAX_LINES) run.lines.splice(0, run.lines.length - LOG_MAX_LINES);
          } else if ('installed' in event) {
            run.state = 'installed';
            lspServers.replace(event.installed);
          } else if ('error' in event) {
            run.state = 'failed';
            run.error = event.error;
          } else if ('done' in event) {
            ended = true;
          }
        },
      });
      if (!ended && run.state === 'running') {
        run.state = 'failed';
        run.error = t('lsp.install_cut_short');
      }
    } catch (err) {
      run.state = 'failed';
      run.error = describeError(err);
    }
    if (run.state !== 'installed') return;
    // One package can bring several servers (vscode-langservers-extracted): read them all again.
    await lspServers.refresh();
    // The editor files name the installed servers: the one on screen is out of date.
    if (editorConfig.answer) void editorConfig.preview();
    await lspServers.checkHealth(id);
  }

  /** Forgets a finished install's log. */
  dismiss(id: string): void {
    if (!this.busy(id)) delete this.runs[id];
  }
}

/** The LSP page's installs. */
export const lspInstalls = new LspInstalls();
