import type { AtelierConfig } from '../wire/config.js';

/** A fresh install's configuration. */
export function defaultConfig(): AtelierConfig {
  return {
    profile: { name: '', language: 'en', active_provider: '', active_model: '', sudo_bypass: false },
    terminal: {
      shell: '',
      font_family: '"JetBrains Mono", "Fira Code", Menlo, Consolas, monospace',
      font_size: 14,
      theme: 'atelier-dark',
      scrollback: 5000,
      cursor_style: 'block',
      cursor_blink: true,
      detach_grace_s: 30 * 60,
      max_sessions: 50,
    },
    bmad: { user_name: '', communication_language: 'English', output_folder: '_bmad-output' },
    permissions: { mode: 'ask', approval_timeout_s: 600, rules: [] },
    chat: { detach_grace_s: 60 },
    providers: [],
  };
}
