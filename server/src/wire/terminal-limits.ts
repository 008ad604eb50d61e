/**
 * Terminal numbers shared by server and studio, in a module without zod so the studio can
 * import them as values (wire/terminal.ts re-exports them for the server).
 */

/** Columns and rows a terminal may have; beyond these xterm and the PTY misbehave. */
export const TERMINAL_MIN_COLS = 2;
export const TERMINAL_MAX_COLS = 1000;
export const TERMINAL_MIN_ROWS = 1;
export const TERMINAL_MAX_ROWS = 500;

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
} as const;
