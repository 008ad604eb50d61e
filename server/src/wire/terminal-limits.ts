/**
 * Terminal numbers (the socket's path and close codes, sizes, flow control) shared by server and
 * studio, in a module without zod so the studio can import them as values (wire/terminal.ts and
 * server/src/limits.ts re-export some of them for the server).
 */

/** Where the server accepts terminal sockets (same origin; the session cookie authenticates). */
export const TERMINAL_WS_PATH = '/api/ws/terminal';

/** Close codes (RFC 6455 §7.4.1) of the terminal socket. */
export const WS_CLOSE_NORMAL = 1000;
export const WS_CLOSE_POLICY_VIOLATION = 1008;
/** The session cap is reached: the studio shows the reason and does not reconnect. */
export const WS_CLOSE_TRY_AGAIN_LATER = 1013;

/** Columns and rows a terminal may have; beyond these xterm and the PTY misbehave. */
export const TERMINAL_MIN_COLS = 2;
export const TERMINAL_MAX_COLS = 1000;
export const TERMINAL_MIN_ROWS = 1;
export const TERMINAL_MAX_ROWS = 500;

/** seed: terminal font size ceiling; the floor keeps a terminal legible. */
export const TERMINAL_FONT_SIZE_MIN = 6;
export const TERMINAL_FONT_SIZE_MAX = 72;
/** Scrollback lines a terminal may keep (xterm.js default is 1000). */
export const TERMINAL_SCROLLBACK_MAX_LINES = 100_000;

/** Longest time (seconds) a terminal with no open tab may be kept running: a week. */
export const TERMINAL_DETACH_GRACE_MAX_S = 7 * 24 * 3600;
/** Highest cap on live terminal sessions a user may configure. */
export const TERMINAL_MAX_SESSIONS_MAX = 1000;

/**
 * Flow control, per session and per viewer. The server stops reading the process once a viewer
 * has this many unacknowledged bytes, and reads again once every viewer is back under the low
 * mark. Measured on loopback (test/bench/terminal.mjs): a window under ~1 MB starves bulk output
 * between acks; 2 MB matches wetty's and bounds memory per viewer.
 * Invariant: ACK_EVERY_BYTES ≤ LOW_WATERMARK_BYTES, or a client that waits for more output
 * before acking could leave the terminal paused forever.
 */
export const FLOW_CONTROL = {
  HIGH_WATERMARK_BYTES: 2 * 1024 * 1024,
  LOW_WATERMARK_BYTES: 512 * 1024,
  ACK_EVERY_BYTES: 64 * 1024,
  /**
   * A client acknowledges a tail under ACK_EVERY_BYTES (a keystroke's echo, a prompt) after this
   * much quiet, so the server never waits on bytes already shown (it would stay paused with
   * output pending), and typing sends about one ack per 50 ms, not one per echo.
   */
  ACK_IDLE_MS: 50,
} as const;
