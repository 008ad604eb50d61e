/**
 * Translations. i18next holds the strings (locales/en.json, locales/fr.json); the current
 * language is rune state, so every `t(...)` read in a template re-renders when it changes.
 */
import i18next from 'i18next';
import type { Language } from '$wire/config';
import en from '../locales/en.json';
import fr from '../locales/fr.json';

/** Languages the studio speaks, in the order the switch shows them. */
export const LANGUAGES: readonly Language[] = ['en', 'fr'];

/** Remembers the last language so the sign-in screen (before the profile is readable) speaks it too. */
const STORAGE_KEY = 'atelier.language';

type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** Every translation key, checked at compile time against en.json. */
export type MessageKey = Leaves<typeof en>;

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

function initialLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch {
    // Storage may be disabled; the browser's language is the next best guess.
  }
  const browser = navigator.language.slice(0, 2);
  return isLanguage(browser) ? browser : 'en';
}

const i18n = i18next.createInstance();
const startLanguage = initialLanguage();
void i18n.init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: startLanguage,
  fallbackLng: 'en',
  initAsync: false,
  interpolation: { escapeValue: false },
});

let current = $state<Language>(startLanguage);
document.documentElement.lang = startLanguage;

/** The language the studio shows now. */
export function language(): Language {
  return current;
}

/** Translates `key` in the current language; `values` fill `{{name}}` placeholders. */
export function t(key: MessageKey, values?: Record<string, string | number>): string {
  return i18n.t(key, { ...values, lng: current });
}

/** Translates a key built from data (a tool category, …), or gives `fallback` when there is no such key. */
export function tOr(key: string, fallback: string): string {
  return i18n.exists(key, { lng: current }) ? i18n.t(key, { lng: current }) : fallback;
}

/** Shows the studio in `lang` from now on (the caller saves it in the profile). */
export function setLanguage(lang: Language): void {
  if (!isLanguage(lang) || lang === current) return;
  current = lang;
  void i18n.changeLanguage(lang);
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered across sign-ins; the profile still holds it.
  }
}

/** Formats a number in the current language. */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(current, options).format(value);
}

/** Formats a date and time in the current language. */
export function formatDateTime(value: string | number | Date): string {
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(value));
}

/** Formats a percentage (0–100) in the current language: "42%", "42 %". */
export function formatPercent(value: number): string {
  return formatNumber(value / 100, { style: 'percent', maximumFractionDigits: 0 });
}

/** Formats a byte count with binary units (KiB, MiB, … or Kio, Mio, … in French) in the current language. */
export function formatBytes(bytes: number, fractionDigits = 1): string {
  const units = [t('units.b'), t('units.kib'), t('units.mib'), t('units.gib'), t('units.tib')];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${formatNumber(value, { maximumFractionDigits: unit === 0 ? 0 : fractionDigits })} ${units[unit]}`;
}
