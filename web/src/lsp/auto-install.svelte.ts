/**
 * Auto-install for one project: a dry run says which servers the project's files call for and
 * what would happen to each; the real run installs the missing ones, streaming their output.
 * The project folder typed here is also the one the editor configuration writes into.
 */
import type { LspAutoInstallResponse } from '$wire/lsp';
import { api, describeError } from '../lib/api';
import { t } from '../lib/i18n.svelte';
import { postStream } from '../lib/sse';
import { lspServers } from './servers.svelte';

/** Lines of installer output kept on screen. */
const LOG_MAX_LINES = 500;

class AutoInstall {
  projectDir = $state('');
  /** The last report, dry run or not. */
  report = $state.raw<LspAutoInstallResponse | null>(null);
  running = $state<'preview' | 'install' | null>(null);
  lines = $state<string[]>([]);
  error = $state('');

  /** Asks what auto-install would do, installing nothing. */
  async preview(): Promise<void> {
    const dir = this.#dir();
    if (!dir) return;
    this.running = 'preview';
    this.error = '';
    this.lines = [];
    try {
      this.report = await api.post('/api/lsp/auto-install', { body: { project_dir: dir, dry_run: true } });
    } catch (err) {
      this.report = null;
      this.error = describeError(err);
    } finally {
      this.running = null;
    }
  }

  /** Installs every server the project calls for that is missing, following the installers' output. */
  async install(): Promise<void> {
    const dir = this.#dir();
    if (!dir) return;
    this.running = 'install';
    this.error = '';
    this.lines = [];
    let ended = false;
    try {
      await postStream('/api/lsp/auto-install', {
        query: { stream: 'true' },
        body: { project_dir: dir },
        onEvent: (event) => {
          if ('progress' in event) {
            this.lines.push(`[${event.progress.id}] ${event.progress.line}`);
            if (this.lines.length > LOG_MAX_LINES) this.lines.splice(0, this.lines.length - LOG_MAX_LINES);
          } else if ('result' in event) {
            this.report = event.result;
          } else if ('error' in event) {
            this.error = event.error;
          } else if ('done' in event) {
            ended = true;
          }
        },
      });
      if (!ended && !this.error) this.error = t('lsp.install_cut_short');
    } catch (err) {
      this.error = describeError(err);
    } finally {
      this.running = null;
    }
    await lspServers.refresh();
  }

  /** The trimmed project folder, or null (with the error said) when none was typed. */
  #dir(): string | null {
    const dir = this.projectDir.trim();
    if (!dir) this.error = t('lsp.project_dir_required');
    return dir || null;
  }
}

/** The LSP page's auto-install. */
export const autoInstall = new AutoInstall();
