/**
 * The editor configuration the LSP page previews: the files POST /api/lsp/editor-config
 * generates for one editor from the installed servers, and writing them into the project
 * (existing content kept, a backup made) when the user asks.
 */
import type { LspEditor, LspEditorConfigResponse } from '$wire/lsp';
import { api } from '../lib/api';
import { LoadState } from '../lib/load-state.svelte';
import { autoInstall } from './auto-install.svelte';

/** The editors, in tab order (the wire's LSP_EDITORS, which lives beside zod). */
export const EDITORS = ['vscode', 'neovim', 'helix', 'zed'] as const satisfies readonly LspEditor[];

/** How each editor is named on its tab. */
export const EDITOR_NAMES: Record<LspEditor, string> = { vscode: 'VS Code', neovim: 'Neovim', helix: 'Helix', zed: 'Zed' };

class EditorConfig extends LoadState {
  editor = $state<LspEditor>('vscode');
  answer = $state.raw<LspEditorConfigResponse | null>(null);
  writing = $state(false);

  /** Shows `editor`'s files as they would be written (into the project folder, when one is typed). */
  async preview(editor: LspEditor = this.editor): Promise<void> {
    this.editor = editor;
    await this.#ask(false);
  }

  /** Writes the shown editor's files into the project folder. */
  async write(): Promise<void> {
    this.writing = true;
    try {
      await this.#ask(true);
    } finally {
      this.writing = false;
    }
  }

  /** The latest request wins: a slow answer for a tab left since does not replace the newer one. */
  async #ask(write: boolean): Promise<void> {
    const dir = autoInstall.projectDir.trim();
    const kept = await this.run(
      () => api.post('/api/lsp/editor-config', { body: { editor: this.editor, ...(dir && { project_dir: dir }), ...(write && { write }) } }),
      (answer) => (this.answer = answer),
      { clearError: true },
    );
    // A failed preview shows no files; `error` is that of the latest request.
    if (!kept && this.error) this.answer = null;
  }
}

/** The LSP page's editor configuration preview. */
export const editorConfig = new EditorConfig();
