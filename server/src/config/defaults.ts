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
    },
    bmad: { user_name: '', communication_language: 'English', output_folder: '_bmad-output' },
    providers: [],
  };
}
