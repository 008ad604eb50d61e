/** Terminal shapes shared by server and studio. */
import { z } from 'zod';

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/, 'must be #rrggbb or #rrggbbaa');

/** An xterm.js theme as stored in themes/<name>.json (the keys of xterm's ITheme). */
export const TerminalThemeSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string().min(1),
  dark: z.boolean(),
  colors: z.strictObject({
    background: hexColor,
    foreground: hexColor,
    cursor: hexColor,
    cursorAccent: hexColor,
    selectionBackground: hexColor,
    black: hexColor,
    red: hexColor,
    green: hexColor,
    yellow: hexColor,
    blue: hexColor,
    magenta: hexColor,
    cyan: hexColor,
    white: hexColor,
    brightBlack: hexColor,
    brightRed: hexColor,
    brightGreen: hexColor,
    brightYellow: hexColor,
    brightBlue: hexColor,
    brightMagenta: hexColor,
    brightCyan: hexColor,
    brightWhite: hexColor,
  }),
});
export type TerminalTheme = z.infer<typeof TerminalThemeSchema>;
