/** Messages between the main thread and the screen-mirror worker. */

export type MirrorRequest =
  | { op: 'create'; id: string; cols: number; rows: number; scrollback: number }
  | { op: 'write'; id: string; data: Uint8Array }
  | { op: 'resize'; id: string; cols: number; rows: number }
  | { op: 'serialize'; id: string; request: number }
  | { op: 'dispose'; id: string };

export type MirrorReply =
  | { op: 'serialized'; request: number; data: string }
  /** The program set the window title (OSC 0 or 2), as xterm parsed it. */
  | { op: 'title'; id: string; title: string };
