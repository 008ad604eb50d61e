/**
 * Atelier's own MCP servers (GET /api/mcp/servers): those configured with the editor `atelier`.
 * The enabled ones join the chat's tool loop; a toggle turns one on or off.
 */
import type { AtelierMcpServer } from '$wire/mcp';
import { api } from '../lib/api';
import { LoadState } from '../lib/load-state.svelte';

class OwnServers extends LoadState {
  servers = $state.raw<AtelierMcpServer[]>([]);
  /** Server name → a toggle is being saved. */
  saving = $state<Record<string, boolean>>({});

  /** Reads the list again. */
  async refresh(): Promise<void> {
    await this.run(
      () => api.get('/api/mcp/servers'),
      (answer) => (this.servers = answer.servers),
    );
  }

  /** Turns a server on or off for the chat (PUT /api/mcp/servers/{name}); rejects with the server's error. */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    this.saving[name] = true;
    try {
      const updated = await api.put('/api/mcp/servers/:name', { params: { name }, body: { enabled } });
      this.servers = this.servers.map((s) => (s.name === name ? updated : s));
    } finally {
      this.saving[name] = false;
    }
  }

  /** Removes one of Atelier's servers (POST /api/mcp/remove with the editor `atelier`). */
  async remove(name: string): Promise<void> {
    await api.post('/api/mcp/remove', { body: { editor: 'atelier', scope: 'user', name } });
    this.supersede();
    this.servers = this.servers.filter((s) => s.name !== name);
  }
}

/** The MCP page's list of Atelier's own servers. */
export const ownServers = new OwnServers();
