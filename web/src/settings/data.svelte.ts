/**
 * What the settings page reads besides the shared config: providers, terminal themes, shells
 * and config generations.
 */
import type { ConfigGeneration, Provider, PublicConfig } from '$wire/config';
import type { TerminalTheme } from '$wire/terminal';
import { api, ApiError } from '../lib/api';
import { t } from '../lib/i18n.svelte';
import { session } from '../lib/session.svelte';
import { notify } from '../lib/toasts.svelte';

/** A list's answer, or null when its route does not exist on this server (an older one). */
async function optional<T>(answer: Promise<T>): Promise<T | null> {
  try {
    return await answer;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** Data behind the settings page. */
export class SettingsData {
  providers = $state.raw<Provider[]>([]);
  /** null: this server has no themes route; the form falls back to a text field. */
  themes = $state.raw<TerminalTheme[] | null>(null);
  shells = $state.raw<string[]>([]);
  generations = $state.raw<ConfigGeneration[]>([]);

  /** Everything, at once. */
  async loadAll(): Promise<void> {
    const [providers, themes, sessions, generations] = await Promise.all([
      api.get('/api/providers'),
      optional(api.get('/api/terminal/themes')),
      optional(api.get('/api/terminal/sessions')).catch(() => null),
      api.get('/api/config/generations'),
    ]);
    this.providers = providers;
    this.themes = themes;
    // The shells found on this machine, for the shell field's suggestions.
    this.shells = [...new Set((sessions?.system ?? []).flatMap((s) => (s.kind === 'local' ? [s.shell] : [])))];
    this.generations = generations;
  }

  /** After any save: a new generation exists. */
  /** After a section saved: say so and show the generation it made. */
  async saved(): Promise<void> {
    notify('success', t('settings.saved'));
    await this.reloadGenerations();
  }

  async reloadGenerations(): Promise<void> {
    this.generations = await api.get('/api/config/generations');
  }

  /** Takes a saved provider into the list (PUT answers it masked). */
  providerSaved(provider: Provider): void {
    const exists = this.providers.some((p) => p.id === provider.id);
    this.providers = exists ? this.providers.map((p) => (p.id === provider.id ? provider : p)) : [...this.providers, provider];
  }

  /** After a delete: the list, and the profile (which may have pointed at it). */
  async providerDeleted(id: string): Promise<void> {
    this.providers = this.providers.filter((p) => p.id !== id);
    // The server clears the active provider when it was this one.
    session.applyConfig(await api.get('/api/config'));
  }

  /** After a rollback or reset: everything may have changed, the language too. */
  async configReplaced(config: PublicConfig): Promise<void> {
    session.applyConfig(config);
    const [providers, generations] = await Promise.all([api.get('/api/providers'), api.get('/api/config/generations')]);
    this.providers = providers;
    this.generations = generations;
  }
}
