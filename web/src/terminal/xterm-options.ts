/** Terminal settings and theme (from /api/config and /api/terminal/themes) as xterm.js options. */
import type { ITerminalOptions, ITheme } from '@xterm/xterm';
import type { TerminalSettings } from '$wire/config';
import type { TerminalTheme } from '$wire/terminal';

/** The options a settings change may alter on a running terminal. */
export type LiveOptions = Pick<ITerminalOptions, 'fontFamily' | 'fontSize' | 'scrollback' | 'cursorStyle' | 'cursorBlink' | 'theme'>;

/** xterm's options for these settings; without a theme xterm keeps its default colours. */
export function xtermOptions(settings: TerminalSettings, theme: TerminalTheme | undefined): LiveOptions {
  return {
    fontFamily: settings.font_family,
    fontSize: settings.font_size,
    scrollback: settings.scrollback,
    cursorStyle: settings.cursor_style,
    cursorBlink: settings.cursor_blink,
    theme: (theme?.colors ?? {}) satisfies ITheme,
  };
}
