/**
 * The language servers the LSP page lists: each registry entry with where (and whether) it is
 * installed, and the last live handshake of each installed one. One instance for the studio, so
 * health results survive a visit to another page.
 */
import type { LspHealthResult, LspServerState } from '$wire/lsp';
import { api, describeError } from '../lib/api';
import { LoadState } from '../lib/load-state.svelte';

class LspServers extends LoadState {
  servers = $state.raw<LspServerState[]>([]);
  /** The managed install prefix. */
  prefix = $state('');
  /** Server id → its last handshake. */
  health = $state<Record<string, LspHealthResult>>({});
  /** A health check of every installed server is under way. */
  checkingAll = $state(false);
  /** Server ids whose own health check is under way. */
  checking = $state<Record<string, boolean>>({});
  healthError = $state('');

  /** Reads the registry and what is installed (GET /api/lsp). */
  async refresh(): Promise<void> {
    await this.run(
      () => api.get('/api/lsp'),
      (list) => {
        this.servers = list.servers;
        this.prefix = list.prefix;
      },
    );
  }

  /** Installed servers, for the editor config and the health check. */
  get installed(): LspServerState[] {
    return this.servers.filter((s) => s.installed);
  }

  /** Takes a server's new state (after an install) into the list. */
  replace(state: LspServerState): void {
    this.servers = this.servers.map((s) => (s.id === state.id ? state : s));
  }

  /** Handshakes every installed server (GET /api/lsp/health), or only `id`. */
  async checkHealth(id?: string): Promise<void> {
    if (id) this.checking[id] = true;
    else this.checkingAll = true;
    try {
      const answer = await api.get('/api/lsp/health', { query: { id } });
      for (const result of answer.servers) this.health[result.id] = result;
      this.healthError = '';
    } catch (err) {
      this.healthError = describeError(err);
    } finally {
      if (id) this.checking[id] = false;
      else this.checkingAll = false;
    }
  }
}

/** The LSP page's one list. */
export const lspServers = new LspServers();
