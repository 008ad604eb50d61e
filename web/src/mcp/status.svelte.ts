/**
 * The live status of every configured MCP server (GET /api/mcp/status): each editor's user
 * files, plus one project's files when a project folder is given; every server is started,
 * asked for its tools and closed. Also removing an entry from its file.
 */
import type { McpRemoveResponse, McpStatusEntry, McpStatusResponse } from '$wire/mcp';
import { api } from '../lib/api';
import { LoadState } from '../lib/load-state.svelte';

class McpStatus extends LoadState {
  /** The project whose files are checked too ('' for the user files only). */
  projectDir = $state('');
  answer = $state.raw<McpStatusResponse | null>(null);
  /** The project the shown answer covers: removing a project entry names it. */
  checkedProject = $state('');

  /** Checks every configured server now. */
  async refresh(): Promise<void> {
    const dir = this.projectDir.trim();
    await this.run(
      () => api.get('/api/mcp/status', { query: { ...(dir && { project_dir: dir }) } }),
      (answer) => {
        this.answer = answer;
        this.checkedProject = dir;
      },
    );
  }

  /** Removes a configured entry from its file (POST /api/mcp/remove), then checks again. */
  async remove(entry: McpStatusEntry): Promise<McpRemoveResponse> {
    const result = await api.post('/api/mcp/remove', {
      body: {
        editor: entry.editor,
        scope: entry.scope,
        ...(entry.scope === 'project' && { project_dir: this.checkedProject }),
        name: entry.name,
      },
    });
    await this.refresh();
    return result;
  }
}

/** The MCP page's status table. */
export const mcpStatus = new McpStatus();
