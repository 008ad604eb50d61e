import type { ChatEvent } from '../../server/src/providers/index.js';
import type { Provider, ProviderType } from '../../server/src/wire/config.js';
import type { ProviderStandin } from '../helpers/provider-standin.js';

/** The key every test provider uses; the stand-in refuses any other. */
export const KEY = 'sk-test-4f9a0c2b7d';

/** A provider of `type` pointed at the stand-in, speaking `protocol`. */
export function standinProvider(standin: ProviderStandin, protocol: 'openai' | 'anthropic', type?: ProviderType): Provider {
  return {
    id: `${protocol}-standin`,
    name: `${protocol} stand-in`,
    type: type ?? (protocol === 'anthropic' ? 'anthropic' : 'openai'),
    base_url: protocol === 'anthropic' ? standin.anthropicBase : standin.openaiBase,
    api_key: KEY,
    model: 'standin-small',
  };
}

/** Every event of a stream, in order. */
export async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}

/** The concatenated text of the events of one kind. */
export const joined = (events: ChatEvent[], type: 'text' | 'thinking') =>
  events.map((e) => (e.type === type ? e.text : '')).join('');

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
