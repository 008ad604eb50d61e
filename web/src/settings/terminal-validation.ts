/**
 * The terminal preference checks the server makes, made before sending so a wrong value is
 * pointed at at once. The bounds are the server's own (wire/terminal-limits.ts).
 */
import type { TerminalSettings } from '$wire/config';
import {
  TERMINAL_DETACH_GRACE_MAX_S,
  TERMINAL_FONT_SIZE_MAX,
  TERMINAL_FONT_SIZE_MIN,
  TERMINAL_MAX_SESSIONS_MAX,
  TERMINAL_SCROLLBACK_MAX_LINES,
} from '$wire/terminal-limits';
import { t } from '../lib/i18n.svelte';

export { TERMINAL_FONT_SIZE_MAX, TERMINAL_FONT_SIZE_MIN, TERMINAL_MAX_SESSIONS_MAX, TERMINAL_SCROLLBACK_MAX_LINES };

/** The detach grace time is stored in seconds and edited in minutes. */
export const TERMINAL_DETACH_GRACE_MAX_MIN = TERMINAL_DETACH_GRACE_MAX_S / 60;

/**
 * The fields the settings form edits; the grace time in minutes (the server keeps seconds, see
 * toSettings), and possibly a fraction when the stored seconds are not whole minutes.
 */
export type TerminalDraft = Pick<TerminalSettings, 'shell' | 'font_family' | 'font_size' | 'theme' | 'scrollback' | 'cursor_style' | 'cursor_blink' | 'max_sessions'> & {
  detach_grace_min: number;
};

/** The form's draft for stored settings. */
export function toDraft(s: TerminalSettings): TerminalDraft {
  return {
    shell: s.shell,
    font_family: s.font_family,
    font_size: s.font_size,
    theme: s.theme,
    scrollback: s.scrollback,
    cursor_style: s.cursor_style,
    cursor_blink: s.cursor_blink,
    detach_grace_min: s.detach_grace_s / 60,
    max_sessions: s.max_sessions,
  };
}

/** The settings patch for (part of) a draft: minutes back to whole seconds. */
export function toSettings(draft: Partial<TerminalDraft>): Partial<TerminalSettings> {
  const { detach_grace_min, ...rest } = draft;
  return detach_grace_min === undefined ? rest : { ...rest, detach_grace_s: Math.round(detach_grace_min * 60) };
}

function integerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Field name → message for every value the server would refuse (empty when all is well). */
export function validateTerminal(draft: TerminalDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!integerIn(draft.font_size, TERMINAL_FONT_SIZE_MIN, TERMINAL_FONT_SIZE_MAX)) {
    errors.font_size = t('terminal.font_size_range', { min: TERMINAL_FONT_SIZE_MIN, max: TERMINAL_FONT_SIZE_MAX });
  }
  if (!integerIn(draft.scrollback, 0, TERMINAL_SCROLLBACK_MAX_LINES)) {
    errors.scrollback = t('terminal.scrollback_range', { max: TERMINAL_SCROLLBACK_MAX_LINES });
  }
  if (!draft.font_family.trim()) errors.font_family = t('common.required');
  else if (draft.font_family.length > 200) errors.font_family = t('common.too_long', { max: 200 });
  if (draft.shell.length > 500) errors.shell = t('common.too_long', { max: 500 });
  if (!draft.theme.trim()) errors.theme = t('common.required');
  const graceS = Math.round(Number(draft.detach_grace_min) * 60);
  if (typeof draft.detach_grace_min !== 'number' || !(graceS >= 1 && graceS <= TERMINAL_DETACH_GRACE_MAX_S)) {
    errors.detach_grace_min = t('terminal.detach_grace_range', { max: TERMINAL_DETACH_GRACE_MAX_MIN });
  }
  if (!integerIn(draft.max_sessions, 1, TERMINAL_MAX_SESSIONS_MAX)) errors.max_sessions = t('terminal.max_sessions_range', { max: TERMINAL_MAX_SESSIONS_MAX });
  return errors;
}
