import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Messages = { [key: string]: string | Messages };

function load(lang: string): Messages {
  return JSON.parse(readFileSync(new URL(`../../web/src/locales/${lang}.json`, import.meta.url), 'utf8')) as Messages;
}

/** Every leaf as [dotted key, value]. */
function leaves(messages: Messages, prefix = ''): [string, unknown][] {
  return Object.entries(messages).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' ? leaves(value, `${prefix}${key}.`) : [[`${prefix}${key}`, value] as [string, unknown]],
  );
}

/** The `{{placeholders}}` a message fills in. */
function placeholders(value: unknown): string[] {
  return [...String(value).matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).sort();
}

describe('studio locales', () => {
  const en = new Map(leaves(load('en')));
  const fr = new Map(leaves(load('fr')));

  it('English and French have exactly the same keys', () => {
    expect([...fr.keys()].sort()).toEqual([...en.keys()].sort());
  });

  it('no message is empty or anything but a string', () => {
    for (const [key, value] of [...en, ...fr]) {
      expect(typeof value === 'string' && value.trim() !== '', `${key} must be a non-empty string`).toBe(true);
    }
  });

  it('each French message fills the same placeholders as its English one', () => {
    for (const [key, value] of en) expect(placeholders(fr.get(key)), key).toEqual(placeholders(value));
  });
});
