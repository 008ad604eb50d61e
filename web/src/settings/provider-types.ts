/** The provider kinds the server speaks to, with the endpoint each usually lives at. */
import type { ProviderType } from '$wire/config';

/** One provider kind: its id (the wire's `type`), its display name, its usual base URL. */
export interface ProviderKind {
  type: ProviderType;
  label: string;
  /** Prefilled when the base URL field is empty; '' when there is no single usual endpoint. */
  baseUrl: string;
}

/** Every kind, in the order the select shows them. */
export const PROVIDER_KINDS: readonly ProviderKind[] = [
  { type: 'openai', label: 'OpenAI', baseUrl: 'https://api.openai.com/v1' },
  { type: 'anthropic', label: 'Anthropic', baseUrl: 'https://api.anthropic.com' },
  { type: 'minimax', label: 'MiniMax', baseUrl: 'https://api.minimax.io/v1' },
  { type: 'zai', label: 'Z.AI (GLM)', baseUrl: 'https://api.z.ai/api/paas/v4' },
  { type: 'mimo', label: 'Xiaomi MiMo', baseUrl: '' },
  { type: 'openrouter', label: 'OpenRouter', baseUrl: 'https://openrouter.ai/api/v1' },
  { type: 'ollama', label: 'Ollama', baseUrl: 'http://127.0.0.1:11434/v1' },
];

/** The kind of a type (the first when unknown). */
export function providerKind(type: string): ProviderKind {
  return PROVIDER_KINDS.find((k) => k.type === type) ?? PROVIDER_KINDS[0]!;
}
