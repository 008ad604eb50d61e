/**
 * The terminal preference checks the server makes, made before sending so a wrong value is
 * pointed at at once. The bounds come from the server's own limits module.
 */
import type { TerminalSettings } from '$wire/config';
import { TERMINAL_FONT_SIZE_MAX, TERMINAL_FONT_SIZE_MIN, TERMINAL_SCROLLBACK_MAX_LINES } from '../../../server/src/limits';
import { t } from '../lib/i18n.svelte';

export { TERMINAL_FONT_SIZE_MAX, TERMINAL_FONT_SIZE_MIN, TERMINAL_SCROLLBACK_MAX_LINES };

/** The fields the settings form edits. */
export type TerminalDraft = Pick<TerminalSettings, 'shell' | 'font_family' | 'font_size' | 'theme' | 'scrollback' | 'cursor_style' | 'cursor_blink'>;

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
  return errors;
}
