import { describe, expect, it } from 'vitest';
import { endpointOf, parseProviderCatalog, providerCatalog } from '../../server/src/providers/catalog.js';
import { ProviderTypeSchema } from '../../server/src/wire/config.js';

describe('provider catalog (catalog.json)', () => {
  it('describes every provider type once, with a docs URL', () => {
    const catalog = providerCatalog();
    expect([...catalog.keys()].sort()).toEqual([...ProviderTypeSchema.options].sort());
    for (const entry of catalog.values()) expect(entry.docs_url).toMatch(/^https:\/\//);
  });

  it('has a quota API exactly for MiniMax, Z.AI and OpenRouter', () => {
    const withQuota = [...providerCatalog().values()].filter((e) => e.quota).map((e) => e.type);
    expect(withQuota.sort()).toEqual(['minimax', 'openrouter', 'zai']);
  });

  it('names the missing type and the duplicate in an invalid catalog', () => {
    const entries = [...providerCatalog().values()].filter((e) => e.type !== 'mimo');
    expect(() => parseProviderCatalog([...entries, entries[0]], 'test.json')).toThrow(/test\.json.*duplicate type "openai".*no entry for provider type "mimo"/);
  });

  it('uses the vendor default protocol, or the Anthropic variant for a base URL ending in /anthropic', () => {
    const p = (type: 'minimax' | 'anthropic' | 'ollama', base_url: string, api_key = 'k') => endpointOf({ type, base_url, api_key });
    expect(p('minimax', 'https://api.minimax.io/v1')).toMatchObject({ protocol: 'openai', auth: 'bearer', base: 'https://api.minimax.io/v1', requestExtras: { reasoning_split: true }, thinkTags: true });
    // The vendor's OpenAI-dialect extras do not follow it to its Anthropic endpoint.
    expect(p('minimax', 'https://api.minimax.io/anthropic/')).toMatchObject({
      protocol: 'anthropic',
      auth: 'bearer',
      base: 'https://api.minimax.io/anthropic',
      headers: { 'anthropic-version': '2023-06-01' },
      requestExtras: {},
      thinkTags: false,
    });
    expect(p('anthropic', 'https://api.anthropic.com')).toMatchObject({ protocol: 'anthropic', auth: 'x-api-key' });
    expect(p('ollama', 'http://127.0.0.1:11434/v1', '')).toMatchObject({ protocol: 'openai', keyRequired: false });
  });
});
