/**
 * The editor configuration the LSP page previews: the files POST /api/lsp/editor-config
 * generates for one editor from the installed servers, and writing them into the project
 * (existing content kept, a backup made) when the user asks.
 */
import type { LspEditor, LspEditorConfigResponse } from '$wire/lsp';
import { api, describeError } from '../lib/api';
import { autoInstall } from './auto-install.svelte';

/** The editors, in tab order (the wire's LSP_EDITORS, which lives beside zod). */
export const EDITORS = ['vscode', 'neovim', 'helix', 'zed'] as const satisfies readonly LspEditor[];

/** How each editor is named on its tab. */
export const EDITOR_NAMES: Record<LspEditor, string> = { vscode: 'VS Code', neovim: 'Neovim', helix: 'Helix', zed: 'Zed' };

class EditorConfig {
  editor = $state<LspEditor>('vscode');
  answer = $state.raw<LspEditorConfigResponse | null>(null);
  loading = $state(false);
  writing = $state(false);
  error = $state('');
  /** Counts requests, so that a slow answer for a tab left since does not replace the newer one. */
  #request = 0;

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

  async #ask(write: boolean): Promise<void> {
    const request = ++this.#request;
    const dir = autoInstall.projectDir.trim();
    this.loading = true;
    this.error = '';
    try {
      const answer = await api.post('/api/lsp/editor-config', { body: { editor: this.editor, ...(dir && { project_dir: dir }), ...(write && { write }) } });
      if (request === this.#request) this.answer = answer;
    } catch (err) {
      if (request === this.#request) {
        this.answer = null;
        this.error = describeError(err);
      }
    } finally {
      if (request === this.#request) this.loading = false;
    }
  }
}

/** The LSP page's editor configuration preview. */
export const editorConfig = new EditorConfig();
