/**
 * The MCP registry the page browses (GET /api/mcp/registry): the servers Atelier can write into
 * an editor's config, the editors it writes to, and the search that filters the servers.
 */
import type { McpEditorInfo, McpInputInfo, McpRegistryServer } from '$wire/mcp';
import { api } from '../lib/api';
import { LoadState } from '../lib/load-state.svelte';

/** The inputs of a server that hold secrets (environment variables and headers). */
export function secretInputs(server: McpRegistryServer): McpInputInfo[] {
  return [...server.env, ...server.headers].filter((input) => input.secret);
}

/** Whether `server` matches every word of `query` in its title, id, name, description or package. */
export function matches(server: McpRegistryServer, query: string): boolean {
  const haystack = [server.title, server.id, server.name, server.description, server.package?.identifier ?? ''].join(' ').toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

class McpRegistry extends LoadState {
  servers = $state.raw<McpRegistryServer[]>([]);
  editors = $state.raw<McpEditorInfo[]>([]);
  query = $state('');

  /** The servers the search keeps, in registry order. */
  get shown(): McpRegistryServer[] {
    return this.servers.filter((s) => matches(s, this.query));
  }

  /** Reads the registry once per studio session (it is data shipped with the server). */
  async load(): Promise<void> {
    if (this.loaded || this.loading) return;
    await this.run(
      () => api.get('/api/mcp/registry'),
      (answer) => {
        this.servers = answer.servers;
        this.editors = answer.editors;
      },
    );
  }

  /** An editor's description, by id. */
  editor(id: string): McpEditorInfo | undefined {
    return this.editors.find((e) => e.id === id);
  }
}

/** The MCP page's registry. */
export const mcpRegistry = new McpRegistry();
