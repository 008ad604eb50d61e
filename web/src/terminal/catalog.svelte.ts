/** What the "new terminal" menu offers (GET /api/terminal/sessions), and the terminal themes. */
import type { SshConnectionPublic, SystemTerminal, TerminalTheme } from '$wire/terminal';
import { api } from '../lib/api';
import { LoadState } from '../lib/load-state.svelte';

/** Local shells, WSL distributions and saved SSH connections; reloaded whenever the menu opens. */
export class TerminalCatalog extends LoadState {
  system = $state.raw<SystemTerminal[]>([]);
  connections = $state.raw<SshConnectionPublic[]>([]);
  themes = $state.raw<TerminalTheme[]>([]);
  /** The themes answer came (or failed): terminals can open in their final colours. */
  themesLoaded = $state(false);

  /** Reads the terminals this machine offers. */
  async load(): Promise<void> {
    await this.run(
      () => api.get('/api/terminal/sessions'),
      (answer) => {
        this.system = answer.system;
        this.connections = answer.connections;
      },
    );
  }

  /** Reads the themes once (they change only with a server restart). */
  async loadThemes(): Promise<void> {
    if (this.themesLoaded) return;
    try {
      this.themes = await api.get('/api/terminal/themes');
    } catch {
      // xterm's own colours do; the settings page reports a broken themes route.
    } finally {
      this.themesLoaded = true;
    }
  }

  /** Takes a saved (or pinned, or forgotten) connection into the list. */
  connectionSaved(connection: SshConnectionPublic): void {
    this.supersede();
    const others = this.connections.filter((c) => c.name !== connection.name);
    this.connections = [...others, connection].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Drops a deleted connection. */
  connectionDeleted(name: string): void {
    this.supersede();
    this.connections = this.connections.filter((c) => c.name !== name);
  }
}
