/**
 * Which provider and model the next message goes to, and whether it asks for advanced
 * reflection. Starts from the profile's active provider and model; kept while the studio is open.
 */
import type { Provider } from '$wire/config';
import { api } from '../lib/api';
import { LoadState } from '../lib/load-state.svelte';
import { session } from '../lib/session.svelte';

class ModelChoice extends LoadState {
  providers = $state.raw<Provider[]>([]);
  /** Provider id; '' when none is configured. */
  provider = $state('');
  /** Model name; '' lets the server choose (the provider's default). */
  model = $state('');
  reflection = $state(false);
  /** The user picked something here: from then on their choice wins over the profile's. */
  #touched = false;

  /** The provider chosen now, if any. */
  get current(): Provider | undefined {
    return this.providers.find((p) => p.id === this.provider);
  }

  /** Models to suggest for the chosen provider: its list, and its default model. */
  get suggestions(): string[] {
    const p = this.current;
    return p ? [...new Set([p.model, ...(p.models ?? [])].filter(Boolean))] : [];
  }

  /** Reads the providers; until the user picks here, follows the profile's choice. */
  async load(): Promise<void> {
    const read = await this.run(
      () => api.get('/api/providers'),
      (providers) => (this.providers = providers),
    );
    if (!read) return;
    if (this.#touched && this.current) return;
    const profile = session.config?.profile;
    const active = this.providers.find((p) => p.id === profile?.active_provider);
    this.provider = (active ?? this.providers[0])?.id ?? '';
    this.model = this.defaultModel();
  }

  /** Picks a provider, and its usual model with it. */
  choose(providerId: string): void {
    this.#touched = true;
    this.provider = providerId;
    this.model = this.defaultModel();
  }

  /** Notes that the user typed a model of their own. */
  touch(): void {
    this.#touched = true;
  }

  /** The profile's active model for the active provider, else the provider's own default, else its first listed model. */
  defaultModel(): string {
    const p = this.current;
    if (!p) return '';
    const profile = session.config?.profile;
    if (profile?.active_provider === p.id && profile.active_model) return profile.active_model;
    return p.model || p.models?.[0] || '';
  }
}

/** The Studio's one model choice. */
export const modelChoice = new ModelChoice();
