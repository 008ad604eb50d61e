/**
 * The provider types the server speaks to, read from its catalog (server/src/providers/
 * catalog.json through GET /api/providers/catalog), so the usual endpoints live in one place.
 */
import type { ProviderKindInfo } from '$wire/providers';
import { api } from '../lib/api';

class ProviderKinds {
  list = $state<ProviderKindInfo[]>([]);
  #loading: Promise<void> | null = null;

  /** Loads the catalog once; later calls share the first load. */
  load(): Promise<void> {
    this.#loading ??= api.get('/api/providers/catalog').then((kinds) => {
      this.list = kinds;
    });
    return this.#loading;
  }

  /** The display name of a type (the type itself until the catalog has loaded). */
  label(type: string): string {
    return this.list.find((k) => k.type === type)?.label ?? type;
  }

  /** The usual base URL of a type ('' when unknown). */
  baseUrl(type: string): string {
    return this.list.find((k) => k.type === type)?.base_url ?? '';
  }
}

export const providerKinds = new ProviderKinds();
